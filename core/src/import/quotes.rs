//! Telling a CSV file cut short inside a quoted field. The CSV reader ends
//! such a field at the end of the file without complaint, so the last row
//! would be written with a truncated value. The file's last row is held
//! back until the end is reached; if an odd number of double quotes follows
//! its start (a quoted field opens and closes, `""` escapes in pairs), the
//! file ended inside a quote and the row is refused.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Where the double quotes read so far are, from the row being read on.
#[derive(Default)]
pub struct Quotes {
    offsets: VecDeque<u64>,
    read: u64,
}

impl Quotes {
    /// Forgets the quotes before `start` (a row known to be whole).
    pub fn forget_before(&mut self, start: u64) {
        while self.offsets.front().is_some_and(|&at| at < start) {
            self.offsets.pop_front();
        }
    }

    /// Whether the file, read to its end, ends inside a quoted field opened
    /// after `start` (the last row's first byte).
    pub fn open_after(&self, start: u64) -> bool {
        self.offsets.iter().filter(|&&at| at >= start).count() % 2 == 1
    }
}

/// The input, noting where its double quotes are.
pub struct Counting {
    inner: Box<dyn Read + Send>,
    pub quotes: Arc<Mutex<Quotes>>,
}

impl Counting {
    pub fn new(inner: Box<dyn Read + Send>) -> Self {
        Self {
            inner,
            quotes: Arc::default(),
        }
    }
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut quotes = self.quotes.lock().unwrap_or_else(|p| p.into_inner());
        let base = quotes.read;
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'"') {
            quotes.offsets.push_back(base + i as u64);
        }
        quotes.read += n as u64;
        Ok(n)
    }
}
