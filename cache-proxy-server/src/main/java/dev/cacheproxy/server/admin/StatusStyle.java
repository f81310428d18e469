/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

/** The status page's inline style sheet: system fonts, tiles, tables, circuit badges. */
final class StatusStyle {

  /** The style sheet, inlined into the page's {@code <style>}. */
  static final String CSS =
      """
      *{box-sizing:border-box}
      body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
      "Liberation Sans",Arial,sans-serif;color:#1d2733;background:#f3f5f8}
      header{display:flex;align-items:baseline;gap:16px;margin-bottom:8px}
      h1{font-size:22px;margin:0}
      h2{font-size:16px;margin:0 0 10px}
      section{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:16px 20px;\
      margin:16px 0}
      .muted,.axis{color:#6b7785;fill:#6b7785;font-size:12px}
      .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}
      .tile{border:1px solid #e6ebf1;border-radius:6px;padding:10px 12px;background:#fbfcfe}
      .tile .label{font-size:12px;color:#6b7785;text-transform:uppercase;letter-spacing:.04em}
      .tile .value{font-size:22px;font-weight:600;margin:2px 0}
      .charts{display:flex;flex-wrap:wrap;gap:16px;margin-top:16px}
      figure{margin:0}
      figcaption{font-size:12px;color:#6b7785;margin-top:4px}
      .chart{border:1px solid #e6ebf1;border-radius:6px;display:block}
      .key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 8px}
      table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #eef1f5;vertical-align:top}
      th{font-size:12px;color:#6b7785;font-weight:600}
      .num{text-align:right;font-variant-numeric:tabular-nums}
      .name{font-family:ui-monospace,"Liberation Mono",monospace;word-break:break-all}
      .empty{color:#6b7785;font-style:italic}
      .badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;color:#fff}
      .badge.ok{background:#2e9e44}
      .badge.warn{background:#d99a00}
      .badge.bad{background:#d64545}
      dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
      dt{color:#6b7785}
      dd{margin:0}
      """;

  private StatusStyle() {}
}
