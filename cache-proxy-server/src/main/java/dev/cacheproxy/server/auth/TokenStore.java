/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The tokens file, {@code {"tokens":[{"name":…,"secretHash":"sha256:…","scopeMaps":[…],
 * "created":…,"expires":…,"revoked":false}]}}, which {@code cache-proxy tokens} manages and the
 * server reads. Every change rewrites the whole file atomically (0600).
 *
 * <p>A secret is 32 random bytes from {@link SecureRandom}, base64url, prefixed with {@value
 * #SECRET_PREFIX} (so secret scanners can spot it). It is stored as its plain SHA-256: a slow hash
 * such as bcrypt protects guessable passwords from brute force, but 256 random bits cannot be
 * guessed, so a fast hash is as safe here and lets every request check a token in microseconds.
 *
 * <p>Not thread-safe across processes: two commands changing the file at the same moment may lose
 * one change (never corrupt the file).
 */
public final class TokenStore {

  /** The prefix of every token secret. */
  public static final String SECRET_PREFIX = "cpt_";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A token just created, with its secret, which is shown once and stored nowhere.
   *
   * @param token the stored token
   * @param secret the secret to sign in with
   */
  public record NewToken(StoredToken token, String secret) {
    @Override
    public String toString() {
      return "NewToken[" + token.name() + "]";
    }
  }

  private final Path file;

  /** The tokens file {@code file}; nothing is read yet. */
  public TokenStore(Path file) {
    this.file = file;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * The tokens of the file, in file order; empty when it does not exist.
   *
   * @throws IOException when it cannot be read
   * @throws IllegalArgumentException when it is not a tokens file
   */
  public List<StoredToken> list() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    return parse(bytes, file.toString());
  }

  /**
   * Creates token {@code name} bound to {@code scopeMaps}, replacing a revoked or expired token of
   * that name.
   *
   * @param expires when it stops working, or null for never
   * @throws IllegalArgumentException when an active token has that name, or no scope map is given
   */
  public NewToken create(
      String name, List<String> scopeMaps, @Nullable Instant expires, Instant now)
      throws IOException {
    StoredToken.checkName(name);
    if (scopeMaps.isEmpty()) {
      throw new IllegalArgumentException("a token needs at least one scope map");
    }
    List<StoredToken> tokens = new ArrayList<>(list());
    for (StoredToken token : tokens) {
      if (token.name().equals(name) && token.status(now) == StoredToken.Status.ACTIVE) {
        throw new IllegalArgumentException(
            "token " + name + " exists; revoke it first (cache-proxy tokens revoke " + name + ")");
      }
    }
    tokens.removeIf(token -> token.name().equals(name));
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    StoredToken token = new StoredToken(name, hash(secret), scopeMaps, now, expires, false);
    tokens.add(token);
    write(tokens);
    return new NewToken(token, secret);
  }

  /**
   * Revokes token {@code name}; it stays listed as revoked.
   *
   * @return false when there is no such token
   */
  public boolean revoke(String name) throws IOException {
    List<StoredToken> tokens = new ArrayList<>(list());
    for (int i = 0; i < tokens.size(); i++) {
      StoredToken t = tokens.get(i);
      if (t.name().equals(name)) {
        tokens.set(
            i,
            new StoredToken(
                t.name(), t.secretHash(), t.scopeMaps(), t.created(), t.expires(), true));
        write(tokens);
        return true;
      }
    }
    return false;
  }

  /** The active token of {@code tokens} named {@code name} whose secret is {@code secret}. */
  static Optional<StoredToken> match(
      List<StoredToken> tokens, String name, String secret, Instant now) {
    byte[] presented = hash(secret).getBytes(StandardCharsets.US_ASCII);
    for (StoredToken token : tokens) {
      if (token.name().equals(name)
          && MessageDigest.isEqual(
              presented, token.secretHash().getBytes(StandardCharsets.US_ASCII))) {
        return token.status(now) == StoredToken.Status.ACTIVE
            ? Optional.of(token)
            : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** {@code sha256:<hex>} of {@code secret}'s UTF-8 bytes. */
  static String hash(String secret) {
    return "sha256:" + HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.UTF_8)));
  }

  /** The SHA-256 of {@code bytes}. */
  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The tokens of a tokens file's content; {@code source} names it in messages. */
  static List<StoredToken> parse(byte[] bytes, String source) throws IOException {
    JsonNode root = JSON.readTree(bytes);
    if (root == null || !root.path("tokens").isArray()) {
      throw new IllegalArgumentException(source + " is not a tokens file: no \"tokens\" array");
    }
    List<StoredToken> tokens = new ArrayList<>();
    for (JsonNode node : root.path("tokens")) {
      try {
        List<String> maps = new ArrayList<>();
        node.path("scopeMaps").forEach(map -> maps.add(map.asText()));
        String expires = node.path("expires").asText(null);
        tokens.add(
            new StoredToken(
                node.path("name").asText(""),
                node.path("secretHash").asText(""),
                maps,
                Instant.parse(node.path("created").asText("")),
                expires == null || expires.isEmpty() ? null : Instant.parse(expires),
                node.path("revoked").asBoolean(false)));
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new IllegalArgumentException(
            source + ": token " + node.path("name").asText("?") + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(tokens);
  }

  private void write(List<StoredToken> tokens) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode array = root.putArray("tokens");
    for (StoredToken token : tokens) {
      ObjectNode node = array.addObject();
      node.put("name", token.name());
      node.put("secretHash", token.secretHash());
      ArrayNode maps = node.putArray("scopeMaps");
      token.scopeMaps().forEach(maps::add);
      node.put("created", token.created().toString());
      Instant expires = token.expires();
      if (expires == null) {
        node.putNull("expires");
      } else {
        node.put("expires", expires.toString());
      }
      node.put("revoked", token.revoked());
    }
    PrivateFiles.write(file, JSON.writeValueAsBytes(root));
  }
}
