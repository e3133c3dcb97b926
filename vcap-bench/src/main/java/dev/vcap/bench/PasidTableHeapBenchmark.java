package dev.vcap.bench;

import dev.vcap.host.HwptAlloc;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimVfioDevice;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Attaching every PASID of a 20-bit device (1..2^20-1; PASID 0 is the RID, attached too: 2^20
 * attachments) as one shot, and the heap the attachments retain, measured after a full GC against
 * the same host before them and printed per attached PASID. {@code hwpts} = {@code shared}: every
 * PASID on one HWPT (the cost of the attach tables alone); {@code perPasid}: each PASID on its own
 * HWPT (tables plus one iommufd HWPT object each).
 *
 * <p>Run it alone: {@code java -jar ... PasidTableHeapBenchmark -jvmArgs -Xmx4g}. Also runnable
 * without JMH: {@link #main(String[])}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class PasidTableHeapBenchmark {

    /** PASIDs 1 .. 2^20 - 1. */
    public static final int PASIDS = (1 << 20) - 1;

    @Param({"shared", "perPasid"})
    public String hwpts;

    private SimIommufd fd;
    private SimVfioDevice dev;
    private int[] hwptOf;
    private long baseline;

    @Setup(Level.Iteration)
    public void setUp() {
        SimHost host = SimHost.builder().function(HostAttachDetachBenchmark.ADDRESS,
                HostAttachDetachBenchmark.pasidDevice()).build();
        fd = host.openIommufd();
        dev = host.openDevice(HostAttachDetachBenchmark.ADDRESS);
        int devId = dev.bind(fd);
        int ioas = fd.allocIoas();
        hwptOf = new int[PASIDS + 1];
        if (hwpts.equals("shared")) {
            java.util.Arrays.fill(hwptOf, fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID)));
        } else {
            hwptOf[0] = fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID));
        }
        baseline = usedAfterGc();
        if (!hwpts.equals("shared")) {
            // per-PASID HWPTs are part of what each attachment costs: allocate them inside the measurement
            for (int p = 1; p <= PASIDS; p++) {
                hwptOf[p] = fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID));
            }
        }
    }

    @Benchmark
    public int attachAllPasids() {
        dev.attachPt(hwptOf[0]);
        for (int p = 1; p <= PASIDS; p++) {
            dev.attachPasidPt(p, hwptOf[p]);
        }
        return dev.attachedPasids();
    }

    @TearDown(Level.Iteration)
    public void report() {
        long retained = usedAfterGc() - baseline;
        System.out.printf(Locale.ROOT, "%n[heap] hwpts=%s attached PASIDs=%d (+RID) retained=%d bytes: %.2f bytes per PASID%n",
                hwpts, dev.attachedPasids(), retained, retained / (double) (PASIDS + 1));
        dev.close();
        fd.close();
    }

    /** Used heap after repeated full collections, once it stops shrinking. */
    static long usedAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long used = mx.getHeapMemoryUsage().getUsed();
            if (used >= last - 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** The measurement without JMH: prints bytes per attached PASID for both HWPT layouts. */
    public static void main(String[] args) {
        for (String mode : new String[] {"shared", "perPasid"}) {
            PasidTableHeapBenchmark b = new PasidTableHeapBenchmark();
            b.hwpts = mode;
            b.setUp();
            b.attachAllPasids();
            b.report();
        }
    }
}
