/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.it.OciLayout.Descriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Builds test images as OCI image layouts on disk, in pure Java: seeded random content, real tar
 * layers (uncompressed, {@value OciLayout#LAYER_TAR}) that container runtimes can unpack, configs,
 * manifests and image indexes. Large layers are streamed and hashed as they are written.
 *
 * <p>The same seed and sizes give the same bytes and digests; different seeds give different
 * layers, so each test pushes blobs no other test shares.
 */
final class TestImages {

  /** One mebibyte. */
  static final long MIB = 1L << 20;

  private TestImages() {}

  /**
   * A single-platform image in an OCI layout.
   *
   * @param layout the layout folder
   * @param tag the tag naming the image in the layout
   * @param manifest the manifest's descriptor
   * @param config the config's descriptor
   * @param layers the layers' descriptors, base first
   */
  record Image(
      Path layout, String tag, Descriptor manifest, Descriptor config, List<Descriptor> layers) {

    /** Copies the layer list. */
    Image {
      layers = List.copyOf(layers);
    }

    /** The digests of the config and the layers: every blob a pull fetches. */
    List<Digest> blobDigests() {
      return Stream.concat(Stream.of(config), layers.stream()).map(Descriptor::digest).toList();
    }
  }

  /**
   * A multi-platform image: an OCI image index over one image per architecture, all linux.
   *
   * @param layout the layout folder
   * @param tag the tag naming the index in the layout
   * @param index the index's descriptor
   * @param byArchitecture the images by architecture ({@code amd64}, {@code arm64})
   */
  record MultiPlatformImage(
      Path layout, String tag, Descriptor index, Map<String, Image> byArchitecture) {

    /** Copies the map. */
    MultiPlatformImage {
      byArchitecture = Map.copyOf(byArchitecture);
    }

    /** The image for {@code architecture}. */
    Image image(String architecture) {
      Image image = byArchitecture.get(architecture);
      if (image == null) {
        throw new IllegalArgumentException("no image for " + architecture);
      }
      return image;
    }
  }

  /**
   * Writes a linux/amd64 image with one layer per entry of {@code layerSizes} (the size of the
   * layer's large file; each layer also holds a few small files) into a new layout at {@code dir}.
   */
  static Image write(Path dir, String tag, long seed, long... layerSizes) throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Image image = writeImage(layout, tag, "amd64", new SplittableRandom(seed), layerSizes);
    layout.writeIndex(Map.of(tag, image.manifest()));
    return image;
  }

  /**
   * Like {@link #write}, with a base layer first that depends only on {@code baseSeed} and {@code
   * baseSize}: images written with the same base share that layer (same bytes, same digest), and
   * their other layers, from {@code seed}, are their own.
   */
  static Image writeOnBase(
      Path dir, String tag, long baseSeed, long baseSize, long seed, long... layerSizes)
      throws IOException {
    OciLayout layout = OciLayout.create(dir);
    Descriptor base =
        writeLayer(
            layout, "base-" + Long.toHexString(baseSeed), baseSize, new SplittableRandom(baseSeed));
    Image image =
        writeImage(layout, tag, "amd64", new SplittableRandom(seed), List.of(base), layerSizes);
    layout.writeIndex(Map.of(tag, image.manifest()));
    return image;
  }

  /**
   * Writes an image index with a linux/amd64 and a linux/arm64 image, each with its own two layers
   * ({@code layerSize} and a small one), into a new layout at {@code dir}.
   */
  static MultiPlatformImage writeMultiPlatform(Path dir, String tag, long seed, long layerSize)
      throws IOException {
    OciLayout layout = OciLayout.create(dir);
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Image> images = new LinkedHashMap<>();
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (String arch : List.of("amd64", "arm64")) {
      Image image = writeImage(layout, tag, arch, random.split(), layerSize, 64 * 1024);
      images.put(arch, image);
      manifests.add(
          image.manifest().toJson(Map.of("platform", Map.of("architecture", arch, "os", "linux"))));
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciLayout.INDEX);
    index.put("manifests", manifests);
    Descriptor indexDescriptor = layout.writeJson(OciLayout.INDEX, index);
    layout.writeIndex(Map.of(tag, indexDescriptor));
    return new MultiPlatformImage(dir, tag, indexDescriptor, images);
  }

  private static Image writeImage(
      OciLayout layout, String tag, String arch, SplittableRandom random, long... layerSizes)
      throws IOException {
    return writeImage(layout, tag, arch, random, List.of(), layerSizes);
  }

  /** Writes an image whose layers are {@code baseLayers} (already in the layout), then new ones. */
  private static Image writeImage(
      OciLayout layout,
      String tag,
      String arch,
      SplittableRandom random,
      List<Descriptor> baseLayers,
      long... layerSizes)
      throws IOException {
    String id = Long.toHexString(random.nextLong());
    List<Descriptor> layers = new ArrayList<>(baseLayers);
    for (int i = 0; i < layerSizes.length; i++) {
      layers.add(writeLayer(layout, "layer-" + i + "-" + arch + "-" + id, layerSizes[i], random));
    }

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", "2024-01-01T00:00:00Z");
    config.put("architecture", arch);
    config.put("os", "linux");
    config.put(
        "config",
        Map.of("Cmd", List.of("/bin/sh"), "Labels", Map.of("dev.cacheproxy.it.image", id)));
    config.put(
        "rootfs",
        Map.of(
            "type",
            "layers",
            "diff_ids",
            layers.stream().map(l -> l.digest().toString()).toList()));
    Descriptor configDescriptor = layout.writeJson(OciLayout.CONFIG, config);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciLayout.MANIFEST);
    manifest.put("config", configDescriptor.toJson(Map.of()));
    manifest.put("layers", layers.stream().map(l -> l.toJson(Map.of())).toList());
    Descriptor manifestDescriptor = layout.writeJson(OciLayout.MANIFEST, manifest);
    return new Image(layout.dir(), tag, manifestDescriptor, configDescriptor, layers);
  }

  /** A tar with a folder holding a note, a few small random files and one of {@code size}. */
  private static Descriptor writeLayer(
      OciLayout layout, String folder, long size, SplittableRandom random) throws IOException {
    try (OciLayout.BlobOutput out = layout.openBlob(OciLayout.LAYER_TAR)) {
      TarWriter tar = new TarWriter(out);
      tar.directory(folder + "/");
      tar.file(
          folder + "/README",
          ("cache-proxy test layer " + folder + "\n").getBytes(StandardCharsets.UTF_8));
      int smallFiles = 1 + random.nextInt(4);
      for (int i = 0; i < smallFiles; i++) {
        tar.randomFile(folder + "/small-" + i + ".bin", random.nextInt(4096), random);
      }
      tar.randomFile(folder + "/data.bin", size, random);
      tar.finish();
      return out.commit();
    }
  }
}
