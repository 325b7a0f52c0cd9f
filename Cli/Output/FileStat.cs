using System.Runtime.InteropServices;

namespace Mca.Cli.Output;

/// <summary>What a path names, following symbolic links: its kind and, on Linux, its device and inode (hard links share them).</summary>
internal readonly partial record struct FileStat(FileStatKind Kind, ulong Device, ulong Inode)
{
    /// <summary>The file a path names (links followed), or null when nothing is there.</summary>
    public static FileStat? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return Native.Statx(path);
        }

        // Elsewhere .NET tells only files from directories; hard links then go unnoticed.
        return Directory.Exists(path) ? new FileStat(FileStatKind.Directory, 0, 0)
            : File.Exists(path) ? new FileStat(FileStatKind.Regular, 0, 0)
            : null;
    }

    /// <summary>True when both name one file (device and inode; only known on Linux).</summary>
    public bool SameFileAs(FileStat other) => Inode != 0 && Device == other.Device && Inode == other.Inode;

    /// <summary>The canonical absolute path (every link resolved), or null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return Native.RealPath(path);
        }

        return Directory.Exists(path) || File.Exists(path) ? Path.GetFullPath(path) : null;
    }

    /// <summary>statx(2) and realpath(3): their layouts are the same on every Linux architecture, unlike struct stat's.</summary>
    private static partial class Native
    {
        private const int AtFdCwd = -100;
        private const uint StatxBasicStats = 0x7ff;
        private const int Enoent = 2;
        private const int Enotdir = 20;

        public static unsafe FileStat? Statx(string path)
        {
            byte* buffer = stackalloc byte[256];
            if (StatxNative(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno is Enoent or Enotdir ? null : throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major and stx_dev_minor (u32) at 136 and 140.
            ushort mode = *(ushort*)(buffer + 28);
            ulong inode = *(ulong*)(buffer + 32);
            ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => FileStatKind.Regular,
                0x4000 => FileStatKind.Directory,
                0x2000 => FileStatKind.CharacterDevice,
                0x1000 => FileStatKind.Fifo,
                0x6000 => FileStatKind.BlockDevice,
                0xC000 => FileStatKind.Socket,
                _ => FileStatKind.Other,
            };
            return new FileStat(kind, device, inode);
        }

        public static unsafe string? RealPath(string path)
        {
            nint resolved = RealPathNative(path, 0);
            if (resolved == 0)
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUTF8(resolved);
            }
            finally
            {
                Free(resolved);
            }
        }

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static unsafe partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

        [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint RealPathNative(string path, nint resolved);

        [LibraryImport("libc", EntryPoint = "free")]
        private static partial void Free(nint pointer);
    }
}

/// <summary>The kinds of file <see cref="FileStat"/> tells apart.</summary>
internal enum FileStatKind
{
    Regular,
    Directory,
    CharacterDevice,
    Fifo,
    BlockDevice,
    Socket,
    Other,
}
