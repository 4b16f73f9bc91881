using System.Buffers.Binary;
using System.Globalization;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// The child of the kill tests: writes a counter's grain state and appends a journal event, over and over,
/// printing "counter sequence" after each pair is acknowledged, until it is killed.
/// </summary>
internal static class StoreWriteLoop
{
    public const string PathVariable = "ASL_TESTS_STORE_WRITE_LOOP";
    public const string StateName = "counter";
    public const string GrainId = "loop/counter";
    public const string StreamId = "loop";

    public static byte[] Bytes(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static long Value(byte[] bytes) => BinaryPrimitives.ReadInt64LittleEndian(bytes);

    /// <summary>Runs until killed; returns an exit code only when something went wrong.</summary>
    public static int Run(string path)
    {
        try
        {
            using var store = Stores.Open(path);
            var record = store.GrainStates.ReadAsync(StateName, GrainId).GetAwaiter().GetResult();
            var counter = record is null ? 0 : Value(record.Payload!);
            long? version = record?.Version;
            var output = Console.Out;
            while (true)
            {
                counter++;
                var written = store.GrainStates.WriteAsync(StateName, GrainId, "loop", version, Bytes(counter)).GetAwaiter().GetResult();
                if (!written.Succeeded)
                {
                    Console.Error.WriteLine($"write of {counter} refused: the file holds version {written.Version}, the loop {version}");
                    return 3;
                }

                version = written.Version;
                var sequence = store.Journal.AppendAsync(StreamId, "tick", Bytes(counter)).GetAwaiter().GetResult();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{counter} {sequence}"));
                output.Flush();
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 2;
        }
    }
}
