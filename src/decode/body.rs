//! Body size limits and content-encoding (gzip/deflate) with a hard output cap.

use super::{RejectKind, Rejection};
use std::borrow::Cow;
use std::io::Read;

/// Reject a body larger than `limit` bytes.
pub(super) fn check_size(len: usize, limit: usize) -> Result<(), Rejection> {
    if len > limit {
        return Err(Rejection::new(
            RejectKind::BodyTooLarge,
            format!("body is {len} bytes, limit {limit}"),
        ));
    }
    Ok(())
}

/// Undo the content encoding, reading at most `limit + 1` output bytes so that a
/// decompression bomb is detected without inflating it.
pub(super) fn decompress<'a>(
    bytes: Cow<'a, [u8]>,
    encoding: Option<&str>,
    limit: usize,
) -> Result<Cow<'a, [u8]>, Rejection> {
    let encoding = encoding.map(|e| e.trim().to_ascii_lowercase());
    let reader: Box<dyn Read + '_> = match encoding.as_deref() {
        None | Some("") | Some("identity") => return Ok(bytes),
        Some("gzip") | Some("x-gzip") => Box::new(flate2::read::MultiGzDecoder::new(&bytes[..])),
        Some("deflate") => Box::new(flate2::read::ZlibDecoder::new(&bytes[..])),
        Some(other) => {
            return Err(Rejection::new(
                RejectKind::UnsupportedEncoding,
                format!("content_encoding {other:?} is not supported (gzip, deflate, identity)"),
            ));
        }
    };
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit));
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Rejection::new(RejectKind::InvalidEncoding, format!("decompression: {e}")))?;
    if out.len() > limit {
        return Err(Rejection::new(
            RejectKind::BodyTooLarge,
            format!("body inflates past the limit of {limit} bytes"),
        ));
    }
    Ok(Cow::Owned(out))
}
