package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

/**
 * One accelerator chip (or wafer) as published: dense peak FLOP/s per format, memory and links.
 *
 * @param bf16Tflops dense BF16/FP16 peak, in TFLOP/s
 * @param fp8Tflops dense FP8 peak, in TFLOP/s; 0 where the chip has none
 * @param fp4Tflops dense FP4 peak, in TFLOP/s; 0 where the chip has none
 * @param memoryGiB device memory (HBM, or on-wafer SRAM for Cerebras), in GiB
 * @param memoryBandwidthGBps memory bandwidth, in GB/s (10^9 bytes per second)
 * @param linkGBps chip-to-chip bandwidth available to tensor-parallel collectives, in GB/s
 * @param source where the numbers come from, with their source tag
 */
public record ChipSpec(
    String name,
    double bf16Tflops,
    double fp8Tflops,
    double fp4Tflops,
    double memoryGiB,
    double memoryBandwidthGBps,
    double linkGBps,
    String source) {

  private static final double GIB = 1024.0 * 1024 * 1024;

  public ChipSpec {
    requireNonNull(name, "name");
    Profiles.positive(name + ".bf16Tflops", bf16Tflops);
    Profiles.positive(name + ".memoryGiB", memoryGiB);
    Profiles.positive(name + ".memoryBandwidthGBps", memoryBandwidthGBps);
    source = source == null ? "" : source;
  }

  /** Dense peak FLOP/s when computing in {@code dtype}; formats the chip lacks fall back to wider ones. */
  public double flopsPerSecond(Dtype dtype) {
    double tflops;
    switch (dtype) {
      case FP4:
        tflops = fp4Tflops > 0 ? fp4Tflops : fp8Tflops > 0 ? fp8Tflops : bf16Tflops;
        break;
      case FP8:
        tflops = fp8Tflops > 0 ? fp8Tflops : bf16Tflops;
        break;
      default:
        tflops = bf16Tflops;
    }
    return tflops * 1e12;
  }

  public double memoryBytes() {
    return memoryGiB * GIB;
  }

  public double memoryBytesPerSecond() {
    return memoryBandwidthGBps * 1e9;
  }

  public double linkBytesPerSecond() {
    return linkGBps * 1e9;
  }
}
