using System.Collections.Concurrent;
using System.Threading.Channels;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// The way from grains to the workers' order streams, inside the silo process: a grain hands an order over and
/// returns at once, and the worker's <c>Assignments</c> call writes it out. Orders for a worker whose stream is
/// not open wait here until it connects. Nothing here is durable, and need not be: what a worker should be running
/// is in the registry's and the trials' stored state, and a worker that registers again (after either side
/// restarted) gets its start orders again from there.
/// </summary>
public sealed class WorkerOrders
{
    private readonly ConcurrentDictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="order"/> for <paramref name="workerId"/>.</summary>
    public void Send(string workerId, WorkerOrder order) => MailboxOf(workerId).Send(order);

    /// <summary>
    /// Opens the worker's stream: orders already waiting come first. A second stream for the same worker replaces
    /// the first, whose reader completes.
    /// </summary>
    public ChannelReader<WorkerOrder> Connect(string workerId) => MailboxOf(workerId).Connect();

    /// <summary>Drops what waits for a worker that left.</summary>
    public void Forget(string workerId)
    {
        if (_mailboxes.TryRemove(workerId, out var mailbox))
            mailbox.Close();
    }

    private Mailbox MailboxOf(string workerId) => _mailboxes.GetOrAdd(workerId, _ => new Mailbox());

    private sealed class Mailbox
    {
        private readonly Lock _gate = new();
        private Channel<WorkerOrder> _channel = NewChannel();

        public void Send(WorkerOrder order)
        {
            lock (_gate)
                _channel.Writer.TryWrite(order);
        }

        public ChannelReader<WorkerOrder> Connect()
        {
            lock (_gate)
            {
                // Orders not yet read by the old stream move to the new one, in order.
                var fresh = NewChannel();
                _channel.Writer.TryComplete();
                while (_channel.Reader.TryRead(out var waiting))
                    fresh.Writer.TryWrite(waiting);
                _channel = fresh;
                return fresh.Reader;
            }
        }

        public void Close()
        {
            lock (_gate)
                _channel.Writer.TryComplete();
        }

        private static Channel<WorkerOrder> NewChannel() =>
            Channel.CreateUnbounded<WorkerOrder>(new UnboundedChannelOptions { SingleReader = true });
    }
}
