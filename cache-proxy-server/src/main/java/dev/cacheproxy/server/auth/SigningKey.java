/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The P-256 key pair that signs the token flow's JWTs (ES256), kept as a private JWK in a file only
 * its owner may read, created on first use.
 */
final class SigningKey {

  private static final Logger LOG = LoggerFactory.getLogger(SigningKey.class);

  private SigningKey() {}

  /**
   * The key in {@code file}, created there (0600) if the file does not exist.
   *
   * @throws IllegalArgumentException when the file exists but cannot be read or holds no P-256
   *     private key, or cannot be created; the message says what to do
   */
  static ECKey loadOrCreate(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return create(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the token signing key "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "): let the server's user read it, or delete it to create a new key (tokens"
              + " already issued become invalid)",
          e);
    }
    try {
      ECKey key = ECKey.parse(json);
      if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
        throw new ParseException("not a P-256 private key", 0);
      }
      return key;
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "the token signing key "
              + file
              + " is not a P-256 private JWK ("
              + e.getMessage()
              + "): delete it to create a new key (tokens already issued become invalid)",
          e);
    }
  }

  private static ECKey create(Path file) {
    try {
      ECKey key =
          new ECKeyGenerator(Curve.P_256)
              .keyUse(KeyUse.SIGNATURE)
              .keyIDFromThumbprint(true)
              .generate();
      PrivateFiles.write(file, key.toJSONString().getBytes(StandardCharsets.UTF_8));
      LOG.info("created the token signing key {} (key id {})", file, key.getKeyID());
      return key;
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot create the token signing key "
              + file
              + " ("
              + e
              + "): make its folder writable by the server's user, or set auth.signingKey",
          e);
    }
  }
}
