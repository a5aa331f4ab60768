// Marks one GLIBCXX version requirement of an ELF shared library as weak, so that the dynamic
// loader accepts a host libstdc++ that lacks that version.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so is linked against GCC 13's libstdc++ and records a
// requirement on GLIBCXX_3.4.32. The only symbol of that version it uses is
// std::ios_base_library_init(), a link-time marker that is never called. Debian 12 and Ubuntu 22.04
// ship GLIBCXX_3.4.30, so the loader refuses the library. Setting VER_FLG_WEAK in the vna_flags of
// that entry (ELF .gnu.version_r) turns the hard error into a warning and the library runs.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the PatchGlibcxxWeakVersion
// task (MlNetMnist.TorchSharp.targets, next to this file in the package's buildTransitive folder),
// and into MlNetMnist.TorchSharp itself (with ELF_PATCH_NO_MSBUILD), where it names the missing
// version when the native library fails to load anyway. It targets netstandard2.0 APIs only.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MlNetMnist.Build
{
    /// <summary>Reads and edits the symbol-version sections of a little-endian ELF64 file.</summary>
    internal static class ElfVersioning
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        /// <summary>VER_FLG_WEAK from elf.h.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>A version requirement (Vernaux entry) of an ELF file.</summary>
        public sealed class VersionNeed
        {
            /// <summary>Library that must provide the version, e.g. libstdc++.so.6.</summary>
            public string File = "";
            /// <summary>Version name, e.g. GLIBCXX_3.4.32.</summary>
            public string Version = "";
            /// <summary>vna_flags.</summary>
            public ushort Flags;
            /// <summary>File offset of the vna_flags field.</summary>
            public long FlagsOffset;
        }

        /// <summary>Lists the version definitions (.gnu.version_d) of an ELF64 file.</summary>
        public static List<string> ReadVersionDefinitions(byte[] elf)
        {
            var result = new List<string>();
            foreach (var section in Sections(elf, ShtGnuVerdef))
            {
                long strtab = SectionOffset(elf, section.Link);
                long entry = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    ushort auxCount = U16(elf, entry + 6);
                    uint aux = U32(elf, entry + 12);
                    uint next = U32(elf, entry + 16);
                    long auxEntry = entry + aux;
                    for (int a = 0; a < auxCount; a++)
                    {
                        result.Add(CString(elf, strtab + U32(elf, auxEntry)));
                        uint auxNext = U32(elf, auxEntry + 4);
                        if (auxNext == 0) break;
                        auxEntry += auxNext;
                    }
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Lists the version requirements (.gnu.version_r) of an ELF64 file.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            var result = new List<VersionNeed>();
            foreach (var section in Sections(elf, ShtGnuVerneed))
            {
                long strtab = SectionOffset(elf, section.Link);
                long entry = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    ushort auxCount = U16(elf, entry + 2);
                    string file = CString(elf, strtab + U32(elf, entry + 4));
                    uint aux = U32(elf, entry + 8);
                    uint next = U32(elf, entry + 12);
                    long auxEntry = entry + aux;
                    for (int a = 0; a < auxCount; a++)
                    {
                        result.Add(new VersionNeed
                        {
                            File = file,
                            Flags = U16(elf, auxEntry + 4),
                            FlagsOffset = auxEntry + 4,
                            Version = CString(elf, strtab + U32(elf, auxEntry + 8)),
                        });
                        uint auxNext = U32(elf, auxEntry + 12);
                        if (auxNext == 0) break;
                        auxEntry += auxNext;
                    }
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on every requirement of <paramref name="version"/>. Returns how many
        /// entries changed (0 when the file does not require the version or already has it weak).
        /// </summary>
        public static int MarkWeak(byte[] elf, string version)
        {
            int changed = 0;
            foreach (var need in ReadVersionNeeds(elf))
            {
                if (need.Version != version || (need.Flags & VerFlagWeak) != 0) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed++;
            }
            return changed;
        }

        private struct Section { public long Offset; public uint Link; public uint Info; }

        private static IEnumerable<Section> Sections(byte[] elf, uint type)
        {
            CheckHeader(elf);
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A);
            ushort shnum = U16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (U32(elf, sh + 4) != type) continue;
                yield return new Section
                {
                    Offset = (long)U64(elf, sh + 0x18),
                    Link = U32(elf, sh + 0x28),
                    Info = U32(elf, sh + 0x2C),
                };
            }
        }

        private static long SectionOffset(byte[] elf, uint index)
        {
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3A);
            return (long)U64(elf, shoff + index * shentsize + 0x18);
        }

        private static void CheckHeader(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 files are supported");
        }

        private static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);
        private static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        private static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

        private static string CString(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

    /// <summary>Finds the libstdc++ the dynamic loader would use on this host.</summary>
    internal static class HostLibStdCxx
    {
        private static readonly string[] Candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };

        /// <summary>The host's libstdc++.so.6, or null when none is found.</summary>
        public static string Find()
        {
            foreach (var path in Candidates)
                if (File.Exists(path)) return path;
            return null;
        }

        /// <summary>True when the host's libstdc++ defines <paramref name="version"/>.</summary>
        public static bool Provides(string libraryPath, string version) =>
            ElfVersioning.ReadVersionDefinitions(File.ReadAllBytes(libraryPath)).Contains(version);
    }
}

#if !ELF_PATCH_NO_MSBUILD
namespace MlNetMnist.Build
{
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;

    /// <summary>
    /// MSBuild task: when the host's libstdc++ lacks <see cref="Version"/>, marks that requirement
    /// weak in each of <see cref="Files"/> (copies in an output folder, never the NuGet cache).
    /// </summary>
    public class PatchGlibcxxWeakVersion : Task
    {
        /// <summary>The libraries to patch in place.</summary>
        [Required] public ITaskItem[] Files { get; set; }

        /// <summary>The version requirement to make weak.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            string host = HostLibStdCxx.Find();
            if (host != null && HostLibStdCxx.Provides(host, Version))
            {
                Log.LogMessage(MessageImportance.Low, "{0} provides {1}; no patch needed.", host, Version);
                return true;
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                byte[] bytes = File.ReadAllBytes(path);
                int changed = ElfVersioning.MarkWeak(bytes, Version);
                if (changed == 0) continue;
                // Write a new file and move it over the old one: never write through a hard link
                // into the NuGet package cache, and never leave a half-written library behind.
                // The original timestamp is kept so that incremental builds see the copy as
                // up to date and do not copy the unpatched file again.
                DateTime stamp = File.GetLastWriteTimeUtc(path);
                string temp = path + ".patching";
                File.WriteAllBytes(temp, bytes);
                File.SetLastWriteTimeUtc(temp, stamp);
                File.Replace(temp, path, null);
                Log.LogMessage(MessageImportance.Normal,
                    "{0}: host libstdc++ ({1}) lacks {2}; marked that requirement weak.",
                    path, host ?? "not found", Version);
            }
            return true;
        }
    }
}
#endif
