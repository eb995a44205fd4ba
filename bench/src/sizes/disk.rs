//! Whether the disk can hold the next size. A 1,000,000-contact database is
//! about 5 GB and its seed fills `max_wal_size` (8 GB) with WAL; a disk that
//! runs out mid-seed crashes PostgreSQL ("the database system is in
//! recovery mode") and loses the whole run, so the harness refuses first.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Result, bail};

const GIB: u64 = 1 << 30;
/// Bytes of tables and indexes per contact (measured: 4.7 GB at 1,000,000).
const BYTES_PER_CONTACT: u64 = 5_500;
/// The WAL a seed writes is about its data, up to `max_wal_size`.
const MAX_WAL: u64 = 8 * GIB;

/// Fails unless `dir`'s file system has room for a database of `contacts`.
pub fn check_room(dir: &Path, contacts: u64, with_wal: bool) -> Result<()> {
    let data = contacts * BYTES_PER_CONTACT;
    let wal = if with_wal { data.min(MAX_WAL) } else { 0 };
    let needed = data + wal + GIB;
    let free = free_bytes(dir)?;
    if free < needed {
        bail!(
            "{} has {:.1} GB free; seeding {contacts} contacts needs about {:.1} GB (data and WAL): free some space or measure smaller sizes",
            dir.display(),
            free as f64 / GIB as f64,
            needed as f64 / GIB as f64
        );
    }
    Ok(())
}

fn free_bytes(dir: &Path) -> Result<u64> {
    let path = CString::new(dir.as_os_str().as_bytes())?;
    // SAFETY: statvfs writes into the zeroed struct it is given; the path
    // is a valid NUL-terminated string for the duration of the call.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        bail!(
            "statvfs {}: {}",
            dir.display(),
            std::io::Error::last_os_error()
        );
    }
    Ok(stats.f_bavail as u64 * stats.f_frsize as u64)
}
