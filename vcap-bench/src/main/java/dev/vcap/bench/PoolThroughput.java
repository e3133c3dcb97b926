package dev.vcap.bench;

import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.PoolPlanner;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

/**
 * Whole-run benchmark of pool planning against reading: reads an lspci file of N devices once
 * (parse only), then reads it again while planning a PASID+PRI+ATS pool over it, and prints both
 * times and their ratio. Target: pooling costs at most 2x reading. Each phase runs
 * {@code rounds} times and the best time counts (the first round warms the JIT).
 *
 * <pre>java -cp 'vcap-bench/target/classes:vcap-bench/target/lib/*' dev.vcap.bench.PoolThroughput FILE [rounds]</pre>
 */
public final class PoolThroughput {

    private PoolThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long bestRead = Long.MAX_VALUE;
        long bestPool = Long.MAX_VALUE;
        int devices = 0;
        PoolPlanner.PoolPlan plan = null;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            try (DeviceSource source = Dumps.open(file)) {
                devices = 0;
                while (source.hasNext()) {
                    source.next();
                    devices++;
                }
            }
            long t1 = System.nanoTime();
            try (DeviceSource source = Dumps.open(file)) {
                plan = PoolPlanner.plan(assignable(source), options());
            }
            long t2 = System.nanoTime();
            bestRead = Math.min(bestRead, t1 - t0);
            bestPool = Math.min(bestPool, t2 - t1);
        }
        System.out.printf("devices %d%nread  %.3f s%npool  %.3f s (read + plan)%nratio %.2f%n", devices, bestRead / 1e9,
                bestPool / 1e9, (double) bestPool / bestRead);
        System.out.printf("core %d, blockers %d, classes verified %d%n", plan.core(), plan.blockers().size(),
                plan.verified());
    }

    /** The type 0 functions of {@code source}, as {@code vcap pool} plans them (vfio-pci binds no bridge). */
    static Iterator<DeviceImage> assignable(DeviceSource source) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(source, 0), false)
                .filter(d -> Header.type(d.config()) == Header.TYPE_NORMAL).iterator();
    }

    static PoolPlanner.Options options() {
        PasidSupport host = new PasidSupport(20, false, false);
        Map<SyntheticCapability, dev.vcap.vmm.config.CapabilityDefinition> requests = new LinkedHashMap<>();
        requests.put(SyntheticCapability.PASID, Synthesizers.pasid(host));
        requests.put(SyntheticCapability.PRI, Synthesizers.pri(512, false));
        requests.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        PlacementOptions placement = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.shipped(), null, true,
                PlacementOptions.Compat.VCAP);
        return new PoolPlanner.Options(requests, placement, new Admission.Options(host, QuirkTable.shipped(),
                HidingPolicy.defaults()), SimHost::vfioView);
    }

}
