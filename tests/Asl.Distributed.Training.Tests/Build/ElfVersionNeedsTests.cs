using Asl.Distributed.Build;

namespace Asl.Distributed.Training.Tests.Build;

/// <summary>The build step that lets TorchSharp load on Debian 12, run on a real copy of its glue library.</summary>
public sealed class ElfVersionNeedsTests
{
    private const string MarkerVersion = "GLIBCXX_3.4.32";

    [Fact]
    public void Read_PackageCacheCopy_HasStrongGlibcxx3432Need()
    {
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(PackageCacheLibrary()));
        var marker = Assert.Single(needs, n => n.Version == MarkerVersion);
        Assert.Equal("libstdc++.so.6", marker.File);
        Assert.False(marker.IsWeak); // the cache must never be patched
        Assert.Contains(needs, n => n.Version.StartsWith("GLIBC_", StringComparison.Ordinal));
    }

    [Fact]
    public void WeakenFile_CopyOfLibrary_FlagsOnlyThatEntryAndIsIdempotent()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageCacheLibrary(), copy);
        try
        {
            byte[] before = File.ReadAllBytes(copy);
            Assert.Equal([MarkerVersion], ElfVersionNeeds.WeakenFile(copy, [MarkerVersion]));
            byte[] after = File.ReadAllBytes(copy);

            var needs = ElfVersionNeeds.Read(after);
            Assert.True(Assert.Single(needs, n => n.Version == MarkerVersion).IsWeak);
            Assert.All(needs.Where(n => n.Version != MarkerVersion), n => Assert.False(n.IsWeak));
            // Exactly one byte changes: the low byte of that entry's vna_flags gains VER_FLG_WEAK.
            var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            int offset = Assert.Single(changed);
            Assert.Equal(before[offset] | ElfVersionNeeds.VerFlgWeak, after[offset]);

            Assert.Empty(ElfVersionNeeds.WeakenFile(copy, [MarkerVersion]));
            Assert.Equal(after, File.ReadAllBytes(copy));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void BuildOutputCopy_OnThisMachine_IsWeakExactlyWhenSystemLibstdcxxLacksTheVersion()
    {
        string output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        var marker = Assert.Single(ElfVersionNeeds.Read(File.ReadAllBytes(output)), n => n.Version == MarkerVersion);
        string systemLibrary = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.First(File.Exists);
        Assert.Equal(!ElfVersionNeeds.LibraryProvides(systemLibrary, MarkerVersion), marker.IsWeak);
    }

    [Fact]
    public void Read_NotAnElfFile_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
    }

    private static string PackageCacheLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(TorchSharp.torch).Assembly.GetName().Version!;
        string path = Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}",
            "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's glue library is not in the package cache at {path}");
        return path;
    }
}
