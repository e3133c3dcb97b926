package dev.vcap.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import dev.vcap.vmm.viommu.PasidBinder;
import dev.vcap.vmm.viommu.VIommu;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * vCPU threads reading and writing config space while VMM threads attach, replace and detach
 * PASIDs. Nothing is timed: each thread runs a fixed number of operations from a fixed seed, and
 * the checks are on values, not on schedules. Checked: no torn read of a multi-byte register, no
 * lost or leaked attachment, and a final state that some sequential order of the operations gives
 * (the vIOMMU agrees with the registers the guest wrote last).
 */
class ConcurrencyTest {

    private static final int OPS = 20_000;
    private static final int VMM_THREADS = 2;
    private static final int PASIDS_PER_THREAD = 48;

    /** Values whose four bytes are equal: a torn read of one mixes two of them and is not one. */
    private static int uniform(int k) {
        return k * 0x0101_0101;
    }

    private static boolean isUniform(int v) {
        return v == uniform(v & 0xFF);
    }

    @Test
    void configAccessesDuringAttachAndDetachAreNeverTornAndNothingIsLost() throws InterruptedException {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        VIommu vtd = new VIommu.IntelVtd(true, 19, true, false, true);
        try (SimIommufd fd = host.openIommufd();
                AssignedDevice d = AssignedDevice.attach(host, Devices.PF, fd, vtd, TestAttach.PRI_AND_ATS,
                        line -> { })) {
            VirtualConfigSpace vcs = d.vcs();
            PasidBinder binder = d.binder();
            int pasid = vcs.layout().find(ExtendedCapability.PASID).orElseThrow().offset();
            int pri = vcs.layout().find(ExtendedCapability.PRI).orElseThrow().offset();
            int ats = vcs.layout().find(ExtendedCapability.ATS).orElseThrow().offset();
            vcs.write(pasid + Synthesizers.PASID_CONTROL, 2, Synthesizers.PASID_ENABLE);
            long objectsBefore = fd.objectCount();

            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writersDone = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            int[][] lastAllocation = new int[2][1];
            int[][] lastAtsControl = new int[2][1];
            boolean[][] boundAtEnd = new boolean[VMM_THREADS][PASIDS_PER_THREAD];
            List<Thread> threads = new ArrayList<>();

            // two vCPUs write PRI Allocation (4 bytes) and ATS Control (2 bytes) with values of their own,
            // in rounds; between rounds, with both quiet, the vIOMMU must agree with the registers
            CyclicBarrier round = new CyclicBarrier(2, () -> {
                int a = vcs.read(pri + Synthesizers.PRI_ALLOCATION, 4);
                int c = vcs.read(ats + Synthesizers.ATS_CONTROL, 2);
                PasidBinder.ViommuState v = binder.state();
                if (v.priAllocation() != a || v.atsEnabled() != ((c & Synthesizers.ATS_ENABLE) != 0)
                        || v.atsStu() != (c & Synthesizers.ATS_STU_MASK)) {
                    problems.add(String.format("registers PRI Allocation 0x%08x, ATS Control 0x%04x; vIOMMU %s", a, c,
                            v));
                }
            });
            for (int t = 0; t < 2; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().unstarted(() -> {
                    await(start);
                    Random r = new Random(100 + id);
                    for (int i = 0; i < OPS; i++) {
                        int alloc = uniform(1 + 2 * r.nextInt(127) + id); // odd k for vCPU 0, even for vCPU 1
                        vcs.write(pri + Synthesizers.PRI_ALLOCATION, 4, alloc);
                        lastAllocation[id][0] = alloc;
                        int control = (r.nextBoolean() ? Synthesizers.ATS_ENABLE : 0) | r.nextInt(16);
                        vcs.write(ats + Synthesizers.ATS_CONTROL, 2, control);
                        lastAtsControl[id][0] = control;
                        if (i % 4 == 3) {
                            await(round);
                        }
                    }
                }));
            }
            // two vCPUs read them, and the device-backed Command/Status dword, until the writers finish
            for (int t = 0; t < 2; t++) {
                threads.add(Thread.ofPlatform().unstarted(() -> {
                    await(start);
                    while (!writersDone.get()) {
                        int alloc = vcs.read(pri + Synthesizers.PRI_ALLOCATION, 4);
                        if (alloc != 0 && !isUniform(alloc)) {
                            problems.add(String.format("torn PRI Allocation read: 0x%08x", alloc));
                        }
                        int control = vcs.read(ats + Synthesizers.ATS_CONTROL, 2);
                        if ((control & ~(Synthesizers.ATS_ENABLE | 0xF)) != 0) {
                            problems.add(String.format("ATS Control read 0x%04x: bits no write set", control));
                        }
                        int unaligned = vcs.read(pri + Synthesizers.PRI_ALLOCATION + 1, 2);
                        if (alloc != 0 && (unaligned & 0xFF) != (unaligned >>> 8)) {
                            // two bytes of one allocation value are always equal, whichever write they saw
                            problems.add(String.format("torn unaligned read: 0x%04x", unaligned));
                        }
                    }
                }));
            }
            // the VMM binds, rebinds and unbinds, each thread on PASIDs of its own
            for (int t = 0; t < VMM_THREADS; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().unstarted(() -> {
                    await(start);
                    Random r = new Random(200 + id);
                    for (int i = 0; i < OPS / 4; i++) {
                        int slot = r.nextInt(PASIDS_PER_THREAD);
                        int p = 1 + id * PASIDS_PER_THREAD + slot;
                        if (r.nextInt(3) == 0) {
                            binder.unbind(p);
                            boundAtEnd[id][slot] = false;
                        } else {
                            BindOutcome out = binder.bind(new GuestPasidEntry(p, (long) r.nextInt(1 << 20) << 12, false));
                            if (!(out instanceof BindOutcome.Bound)) {
                                problems.add("bind of PASID " + p + " answered " + out);
                            }
                            boundAtEnd[id][slot] = true;
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            for (int i = 0; i < 2; i++) {
                threads.get(i).join();
            }
            writersDone.set(true);
            for (Thread t : threads) {
                t.join();
            }

            assertThat(problems).isEmpty();
            // config: the final register is one vCPU's last write, and the vIOMMU saw that write last
            int alloc = vcs.read(pri + Synthesizers.PRI_ALLOCATION, 4);
            assertThat(alloc).isIn(lastAllocation[0][0], lastAllocation[1][0]);
            assertThat(binder.state().priAllocation()).as("the vIOMMU's PRI allocation").isEqualTo(alloc);
            int control = vcs.read(ats + Synthesizers.ATS_CONTROL, 2);
            assertThat(control).isIn(lastAtsControl[0][0], lastAtsControl[1][0]);
            assertThat(binder.state().atsEnabled()).isEqualTo((control & Synthesizers.ATS_ENABLE) != 0);
            assertThat(binder.state().atsStu()).isEqualTo(control & Synthesizers.ATS_STU_MASK);
            // PASIDs: exactly those whose last operation was a bind are attached, each once, nothing leaked
            Set<Integer> expected = new TreeSet<>();
            for (int t = 0; t < VMM_THREADS; t++) {
                for (int s = 0; s < PASIDS_PER_THREAD; s++) {
                    if (boundAtEnd[t][s]) {
                        expected.add(1 + t * PASIDS_PER_THREAD + s);
                    }
                }
            }
            assertThat(binder.bindings().keySet()).isEqualTo(expected);
            for (int p = 1; p <= VMM_THREADS * PASIDS_PER_THREAD; p++) {
                assertThat(host.iommuDevice(Devices.PF).pasidDomain(p) != 0).as("PASID %d attached on the host", p)
                        .isEqualTo(expected.contains(p));
            }
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isEqualTo(expected.size());
            assertThat(fd.objectCount()).as("one nested HWPT per bound PASID, none leaked")
                    .isEqualTo(objectsBefore + expected.size());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
