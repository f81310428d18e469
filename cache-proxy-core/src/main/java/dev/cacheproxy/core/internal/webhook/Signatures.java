/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs webhook bodies: {@code sha256=} and the hex HMAC-SHA256 of the body with the secret. */
final class Signatures {

  /** The header carrying the signature. */
  static final String HEADER = "X-CacheProxy-Signature";

  private static final String ALGORITHM = "HmacSHA256";

  private Signatures() {}

  /** The header value for {@code body} signed with {@code secret} (as UTF-8 bytes). */
  static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
