using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// Two data-parallel ranks inside this process, joined over loopback sockets exactly as two processes are (the real
/// transport), each working on a thread of its own: the device check's ring and its bandwidth figure, on the one
/// device the machine may have.
/// </summary>
internal sealed class TwoRanks : IDisposable
{
    private readonly ProcessGroup[] _groups;

    private TwoRanks(ProcessGroup[] groups) => _groups = groups;

    /// <summary>Joins rank 0 and rank 1 on two free loopback ports.</summary>
    public static TwoRanks Join()
    {
        var peers = LoopbackPorts.Peers(2);
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var options = new CollectiveOptions();
        var groups = Task.WhenAll(Enumerable.Range(0, 2).Select(rank => Task.Run(() => PeerGroup.JoinAsync(rank, peers, secret, options))))
            .GetAwaiter().GetResult();
        return new TwoRanks(groups);
    }

    /// <summary>
    /// Runs <paramref name="work"/> for both ranks at once, each on its own thread (TorchSharp's dispose scopes are per
    /// thread), and returns their results; the first rank's failure is rethrown.
    /// </summary>
    public T[] Run<T>(Func<ProcessGroup, T> work)
    {
        var results = new T[2];
        var failures = new ExceptionDispatchInfo?[2];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = work(_groups[rank]);
            }
            catch (Exception e)
            {
                failures[rank] = ExceptionDispatchInfo.Capture(e);
            }
        }) { IsBackground = true, Name = $"device check rank {rank}" }).ToArray();
        foreach (var thread in threads)
            thread.Start();
        foreach (var thread in threads)
            thread.Join();
        foreach (var failure in failures)
            failure?.Throw();
        return results;
    }

    public void Dispose() => Task.WhenAll(_groups.Select(g => g.DisposeAsync().AsTask())).GetAwaiter().GetResult();
}
