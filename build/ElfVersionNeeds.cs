#nullable enable
// Marks entries of an ELF shared object's version-needs table (.gnu.version_r) as weak.
//
// Why: TorchSharp's libLibTorchSharp.so asks for GLIBCXX_3.4.32 only through a marker symbol that nothing
// calls, and Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the loader refuses the library. A weak
// version need (VER_FLG_WEAK) is accepted by the loader when the version is absent. This file is compiled
// twice: into the MSBuild task below (RoslynCodeTaskFactory) and into the tests (ELF_PATCHER_TESTS).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Asl.Distributed.Build;

/// <summary>Reads and weakens entries of an ELF64 little-endian version-needs table.</summary>
public static class ElfVersionNeeds
{
    /// <summary>The flag that makes a version need optional for the dynamic loader.</summary>
    public const ushort VerFlgWeak = 0x2;

    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One version a library needs from one of its dependencies.</summary>
    public sealed class Need
    {
        public Need(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & VerFlgWeak) != 0;
    }

    /// <summary>Lists the version needs of an ELF64 little-endian image.</summary>
    public static List<Need> Read(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var needs = new List<Need>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed)
                continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize + 0x18));

            long verneed = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)verneed + 2);
                string file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)verneed + 4));
                long aux = verneed + BitConverter.ToUInt32(elf, (int)verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    string version = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    needs.Add(new Need(file, version, flags, aux + 4));
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)verneed + 12);
                if (next == 0) break;
                verneed += next;
            }
        }
        return needs;
    }

    /// <summary>
    /// Sets the weak flag on every need whose version is in <paramref name="versions"/>. Returns the versions
    /// changed; an image whose needs are already weak (or absent) is returned unchanged, so this is idempotent.
    /// </summary>
    public static List<string> Weaken(byte[] elf, ICollection<string> versions)
    {
        var changed = new List<string>();
        foreach (var need in Read(elf))
        {
            if (!versions.Contains(need.Version) || need.IsWeak)
                continue;
            ushort flags = (ushort)(need.Flags | VerFlgWeak);
            elf[need.FlagsOffset] = (byte)(flags & 0xff);
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            changed.Add(need.Version);
        }
        return changed;
    }

    /// <summary>
    /// Weakens the given versions in the file at <paramref name="path"/>, writing a temporary file and renaming it
    /// over the original so that a hard link into a package cache is never modified in place.
    /// </summary>
    public static List<string> WeakenFile(string path, ICollection<string> versions)
    {
        byte[] elf = File.ReadAllBytes(path);
        var changed = Weaken(elf, versions);
        if (changed.Count == 0)
            return changed;
        string temp = path + ".weakening";
        File.WriteAllBytes(temp, elf);
        // netstandard (the task factory's target) has no overwriting Move; Replace keeps the rename atomic.
        File.Replace(temp, path, null);
        return changed;
    }

    /// <summary>True when the bytes of a shared library define the given version name.</summary>
    public static bool LibraryProvides(string libraryPath, string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        byte[] bytes = File.ReadAllBytes(libraryPath);
        for (int i = 0; i + needle.Length <= bytes.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && bytes[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    private static string ReadString(byte[] elf, long offset)
    {
        int end = Array.IndexOf(elf, (byte)0, (int)offset);
        return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
    }
}

#if !ELF_PATCHER_TESTS
/// <summary>
/// MSBuild task: weakens the listed GLIBCXX version needs of the given native libraries in an output folder,
/// only where the system's libstdc++ lacks that version.
/// </summary>
public sealed class WeakenGlibcxxVersionNeeds : Microsoft.Build.Utilities.Task
{
    private static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Required]
    public string Versions { get; set; } = string.Empty;

    public override bool Execute()
    {
        string? libstdcxx = Array.Find(LibstdcxxCandidates, File.Exists);
        var missing = new HashSet<string>();
        foreach (string version in Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string name = version.Trim();
            if (libstdcxx is null || !ElfVersionNeeds.LibraryProvides(libstdcxx, name))
                missing.Add(name);
        }
        if (missing.Count == 0)
            return true;

        foreach (var library in Libraries)
        {
            string path = library.ItemSpec;
            if (!File.Exists(path))
                continue;
            var changed = ElfVersionNeeds.WeakenFile(path, missing);
            if (changed.Count > 0)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "{0}: marked version need(s) {1} weak (system libstdc++ lacks them)", path, string.Join(", ", changed));
        }
        return true;
    }
}
#endif
