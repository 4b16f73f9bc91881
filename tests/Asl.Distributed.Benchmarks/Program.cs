using Asl.Distributed.Benchmarks;

// Benchmark commands (run with -c Release). Each prints a markdown table to paste into docs/benchmarks.md.
//   loss   forward + backward time and peak memory of the ASL implementations against BCE-with-logits
//   map    mAP and threshold metrics at validation-set sizes
//   loader images/s of the decode + augment loader at 224²
//   compare-losses  BCE, focal and ASL on the synthetic set, several seeds (minutes per run)
//   trainer-overhead  a ResNet-50 step through the trainer against a bare loop
//   optimizer-step  Adam's step per parameter tensor against the flat step (one buffer per group), ResNet-50
//   allreduce  ring all-reduce algbw/busbw between processes on loopback (--transport socket|grpc), beside one raw TCP socket
//   dp-steps   ResNet-18 training steps per second on 1 and 2 ranks and the share of step time in all-reduce
//   trial-turnaround  how soon a worker agent starts its next trial after the last one ended (in-process trainer)
//   worker-load  asl serve (Release) under N simulated workers heartbeating over gRPC: its CPU and the assignment latency (minutes)
//   asha-vs-grid  ASHA against grid search on the same space: best metric and total epochs (asl sweep run; minutes)
var command = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
return command switch
{
    "loss" => LossBenchmark.Run(rest),
    "loss-memory" => LossBenchmark.RunMemory(rest),
    "map" => MapBenchmark.Run(rest),
    "loader" => LoaderBenchmark.Run(rest),
    "compare-losses" => LossComparisonBenchmark.Run(rest),
    "trainer-overhead" => TrainerOverheadBenchmark.Run(rest),
    "optimizer-step" => OptimizerStepBenchmark.Run(rest),
    "allreduce" => await AllReduceBenchmark.RunAsync(rest),
    "allreduce-rank" => await AllReduceBenchmark.RunRankAsync(rest),
    "dp-steps" => DataParallelStepBenchmark.Run(rest),
    "dp-steps-rank" => DataParallelStepBenchmark.RunRank(rest),
    "trial-turnaround" => await TrialTurnaroundBenchmark.RunAsync(rest),
    "asha-vs-grid" => AshaVersusGridBenchmark.Run(rest),
    "worker-load" => await WorkerLoadBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Asl.Distributed.Benchmarks <loss|map|loader|compare-losses|trainer-overhead|optimizer-step|allreduce|dp-steps|trial-turnaround|asha-vs-grid|worker-load> [options]");
    return 2;
}
