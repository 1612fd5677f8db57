//go:build linux

package agenttoolset

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// On Linux a walk works on raw directory descriptors: every directory and
// file is opened relative to its parent's descriptor with O_NOFOLLOW (so a
// component swapped for a link fails instead of leading out), entries come
// from getdents64 with their types (no stat per entry), and a file is read
// with open, fstat, read and close, nothing more: grep over a large tree is
// mostly these system calls.

// dirSys is the open directory descriptor of a dirHandle.
type dirSys struct {
	fd int
}

// openWalkDir opens the directory rel of root for a walk; path is its
// absolute path.
func openWalkDir(root *os.Root, rel, path string) (*dirHandle, error) {
	f, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, syscall.ENOTDIR
	}
	fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return nil, errno
	}
	return newDirHandle(dirSys{fd: int(fd)}, path), nil
}

// openDir opens the subdirectory name of d.
func (d *dirHandle) openDir(name string) (*dirHandle, error) {
	fd, err := openat(d.sys.fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return newDirHandle(dirSys{fd: fd}, d.join(name)), nil
}

func (d *dirHandle) closeSys() { _ = syscall.Close(d.sys.fd) }

// list returns the entries of d sorted by name, with their types.
func (d *dirHandle) list() ([]dirEntry, error) {
	buf := make([]byte, 32<<10)
	var entries []dirEntry
	for {
		n, err := syscall.Getdents(d.sys.fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			if len(entries) > 0 {
				break // keep what was read
			}
			return nil, err
		}
		if n <= 0 {
			break
		}
		entries = parseDirents(buf[:n], entries)
	}
	for i := range entries {
		if entries[i].typ == typeUnknown {
			var st syscall.Stat_t
			if err := syscall.Lstat(d.join(entries[i].name), &st); err == nil {
				entries[i].typ = modeType(st.Mode)
			} else {
				entries[i].typ = fs.ModeIrregular
			}
		}
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	return entries, nil
}

// typeUnknown marks an entry whose type getdents did not give.
const typeUnknown = fs.ModeType

// parseDirents appends the entries of a getdents64 buffer: struct
// linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }.
func parseDirents(buf []byte, entries []dirEntry) []dirEntry {
	for len(buf) >= 19 {
		reclen := int(*(*uint16)(unsafe.Pointer(&buf[16])))
		if reclen < 19 || reclen > len(buf) {
			break
		}
		typ := buf[18]
		name := buf[19:reclen]
		if i := indexNUL(name); i >= 0 {
			name = name[:i]
		}
		buf = buf[reclen:]
		if len(name) == 0 || string(name) == "." || string(name) == ".." {
			continue
		}
		entries = append(entries, dirEntry{name: string(name), typ: direntType(typ)})
	}
	return entries
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// direntType maps a d_type to type bits: a DT_ value is its S_IF value
// shifted right by 12.
func direntType(t uint8) fs.FileMode {
	if t == syscall.DT_UNKNOWN {
		return typeUnknown
	}
	return modeType(uint32(t) << 12)
}

func modeType(mode uint32) fs.FileMode {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}

// modTime returns the modification time of path in nanoseconds, without
// following a last link; 0 when it cannot be read.
func modTime(path string) int64 {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return 0
	}
	return st.Mtim.Nano()
}

// readRegular reads the regular file name of d into buf (grown as needed) if
// it holds at most maxBytes; it refuses anything else (a link, a FIFO, a
// device) without blocking on it.
func (d *dirHandle) readRegular(name string, buf []byte, maxBytes int64) ([]byte, []byte, bool) {
	fd, err := openat(d.sys.fd, name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC)
	if err != nil {
		return nil, buf, false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size > maxBytes {
		return nil, buf, false
	}
	return readAll(func(p []byte) (int, error) {
		for {
			n, err := syscall.Read(fd, p)
			if err != syscall.EINTR {
				return n, err
			}
		}
	}, st.Size, buf, maxBytes)
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
