namespace Asl.Distributed.Training;
internal static class Placeholder { }
