namespace Asl.Distributed;
internal static class Placeholder { }
