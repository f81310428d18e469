/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

/** A rule or rule set was refused; the message names the rule, the field and the reason. */
public final class InvalidRuleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the rule, field and reason. */
  public InvalidRuleException(String message) {
    super(message);
  }
}
