"""PyTorch's side of the device check's speed figures (issue 17 §6), on the same GPU as asl-worker.

Eager PyTorch with its defaults: ResNet-50 at 224 px, batch 64, forward + backward + Adam step, images/s in float32
and with bfloat16 autocast; and the asymmetric loss at (256, 9605) forward + backward as the official implementation
computes it (docs: ../shared/docs/asl-reference.md), in float32. Prints one line per figure.
"""
import time

import torch


def timed(step, warmup=5, steps=20):
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def resnet50():
    # torchvision's ResNet-50 where installed (that machine has no network for anything else).
    try:
        import torchvision
        return torchvision.models.resnet50(num_classes=80)
    except ImportError:
        return None


def asl(logits, targets, gamma_neg=4.0, gamma_pos=0.0, clip=0.05, eps=1e-8):
    # The official AsymmetricLoss's arithmetic (sigmoid, probability margin on negatives, focusing weights, sum).
    xs_pos = torch.sigmoid(logits)
    xs_neg = 1 - xs_pos
    xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = targets * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - targets) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    pt = xs_pos * targets + xs_neg * (1 - targets)
    gamma = gamma_pos * targets + gamma_neg * (1 - targets)
    loss = loss * torch.pow(1 - pt, gamma)
    return -loss.sum()


def main():
    device = torch.device("cuda")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    model = resnet50()
    if model is None:
        print("resnet50: skipped (no torchvision)")
    else:
        model = model.to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
        images = torch.randn(64, 3, 224, 224, device=device)
        targets = (torch.rand(64, 80, device=device) < 0.05).float()
        for name, dtype in (("float32", None), ("bfloat16", torch.bfloat16)):
            def step():
                optimizer.zero_grad(set_to_none=True)
                with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                    logits = model(images)
                asl(logits.float(), targets).backward()
                optimizer.step()
            seconds = timed(step)
            print(f"resnet50 224px batch 64 {name}: {64 / seconds:.1f} images/s ({seconds * 1000:.1f} ms/step)")
    logits = torch.randn(256, 9605, device=device, requires_grad=True)
    targets = (torch.rand(256, 9605, device=device) < 0.01).float()

    def loss_step():
        logits.grad = None
        asl(logits, targets).backward()
    seconds = timed(loss_step, steps=100)
    print(f"asl (256, 9605) forward+backward float32: {seconds * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
