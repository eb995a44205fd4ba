//! Where the token-signing secret comes from.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::ExposeSecret;

use crate::config::Config;

/// The smallest secret accepted: HS256 wants at least as many bytes as its output.
const MIN_SECRET_BYTES: usize = 32;

/// The configured secret; with SQLite and none configured, the one kept beside
/// the database file, generated on first use. PostgreSQL deployments run
/// several instances that must agree, so there it must be configured.
pub fn load_or_create_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &config.jwt_secret {
        let secret = secret.expose_secret();
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "RAPPORT_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
        );
        return Ok(secret.as_bytes().to_vec());
    }
    let Some(db_path) = config.sqlite_path() else {
        anyhow::bail!("RAPPORT_JWT_SECRET is required unless the database is a SQLite file");
    };
    let path = db_path.with_extension("secret");
    read_or_write_secret(&path)
}

fn read_or_write_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let secret = existing.trim().as_bytes().to_vec();
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "{} holds a secret that is too short",
            path.display()
        );
        return Ok(secret);
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())?;
            tracing::info!(path = %path.display(), "generated a token-signing secret");
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_write_secret(path),
        Err(e) => Err(anyhow::anyhow!("cannot write {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_kept_and_reused() {
        let dir = std::env::temp_dir().join(format!("rapport-secret-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = Config::for_database(format!("sqlite://{}/r.db?mode=rwc", dir.display()));
        let first = load_or_create_secret(&config).unwrap();
        let second = load_or_create_secret(&config).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= MIN_SECRET_BYTES);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn postgres_without_a_secret_is_refused() {
        let config = Config::for_database("postgres://localhost/x");
        assert!(load_or_create_secret(&config).is_err());
    }
}
