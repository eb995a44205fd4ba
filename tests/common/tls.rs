//! A throwaway certificate authority and a server certificate it signed for
//! `localhost` and 127.0.0.1, made with the `openssl` command line, for
//! servers the tests start with TLS (PostgreSQL, Redis).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of a test CA and of the server certificate it signed.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The CA certificate clients trust (PEM).
    pub ca: PathBuf,
    /// The server's certificate (PEM), for `localhost` and `127.0.0.1`.
    pub cert: PathBuf,
    /// The server's private key (PEM, PKCS #8).
    pub key: PathBuf,
}

/// Makes a CA and a server certificate in `dir`; `Err` with openssl's
/// output when a step fails, `Ok(None)` when `openssl` is not installed.
pub fn make_in(dir: &Path) -> Result<Option<TlsFiles>, String> {
    let Some(openssl) = super::postgres::find_program("openssl", &[PathBuf::from("/usr/bin")])
    else {
        return Ok(None);
    };
    let path = |name: &str| dir.join(name);
    let ext = path("server.ext");
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| format!("write {}: {e}", ext.display()))?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let steps: Vec<Vec<String>> = vec![
        args(&["req", "-x509"])
            .chain(args(&ec))
            .chain(args(&["-days", "2", "-subj", "/CN=Rapport test CA"]))
            .chain(args(&["-addext", "basicConstraints=critical,CA:TRUE"]))
            .chain(args(&["-addext", "keyUsage=critical,keyCertSign,cRLSign"]))
            .chain(files(&["-keyout", "ca.key", "-out", "ca.pem"], dir))
            .collect(),
        args(&["req"])
            .chain(args(&ec))
            .chain(args(&["-subj", "/CN=localhost"]))
            .chain(files(&["-keyout", "server.key", "-out", "server.csr"], dir))
            .collect(),
        args(&["x509", "-req", "-days", "2", "-CAcreateserial"])
            .chain(files(
                &[
                    "-in",
                    "server.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-extfile",
                    "server.ext",
                    "-out",
                    "server.pem",
                ],
                dir,
            ))
            .collect(),
    ];
    for step in steps {
        let out = Command::new(&openssl)
            .args(&step)
            .output()
            .map_err(|e| format!("run openssl: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "openssl {step:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(Some(TlsFiles {
        ca: path("ca.pem"),
        cert: path("server.pem"),
        key: path("server.key"),
    }))
}

fn args<'a>(list: &'a [&'a str]) -> impl Iterator<Item = String> + 'a {
    list.iter().map(|s| (*s).to_owned())
}

/// Pairs of `-flag file`, the file in `dir`.
fn files<'a>(pairs: &'a [&'a str], dir: &'a Path) -> impl Iterator<Item = String> + 'a {
    pairs.chunks(2).flat_map(move |pair| {
        [
            pair[0].to_owned(),
            dir.join(pair[1]).to_string_lossy().into_owned(),
        ]
    })
}
