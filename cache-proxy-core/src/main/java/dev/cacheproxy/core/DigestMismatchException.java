package dev.cacheproxy.core;

/** Content did not hash to the digest it was fetched by; nothing of it was kept. */
public class DigestMismatchException extends ProxyException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the expected and actual digests. */
  public DigestMismatchException(String message) {
    super(OciErrorCode.DIGEST_INVALID, message);
  }
}
