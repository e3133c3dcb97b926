package dev.vcap.host.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.HostException;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.config.PciAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Attach, replace and detach from 8 threads are linearizable per (device, PASID): in each round
 * every thread performs one random operation at the same moment (a barrier releases them
 * together); then some order of the round's operations must explain every outcome — returned HWPT
 * or errno — under a sequential model of the rules, and the host's final state (vfio's records and
 * the IOMMU's entries) must be one such order's final state.
 */
class AttachLinearizabilityTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 3000;
    private static final int SLOTS = 4; // RID (0) and PASIDs 1..3
    private static final long SEED = 0x5EED_CAFEL;

    /** An operation: kind 0 attach RID, 1 detach RID, 2 attach PASID, 3 detach PASID. */
    record Op(int dev, int kind, int pasid, int hwpt) {
    }

    /** An operation with what it returned: the HWPT, 0 for a detach, or -errno. */
    record Done(Op op, int result) {
    }

    /**
     * The sequential model: HWPT per (device, slot), 0 for none; and per device, how the RID was
     * attached — {@link #BY_FLAGLESS} (vfio's iommufd_attached) or {@link #BY_PASID_0} (PASID 0 in
     * vfio's ida, iommufd's RID all the same).
     */
    static final class Model {
        static final int BY_NONE = 0;
        static final int BY_FLAGLESS = 1;
        static final int BY_PASID_0 = 2;

        final int[][] slot;
        final int[] ridBy;
        final boolean[] isVf;
        final Set<Integer> pasidCompat;
        final Set<Integer> fault;
        final Set<Integer> exists;

        Model(boolean[] isVf, Set<Integer> exists, Set<Integer> pasidCompat, Set<Integer> fault) {
            this.slot = new int[isVf.length][SLOTS];
            this.ridBy = new int[isVf.length];
            this.isVf = isVf;
            this.exists = exists;
            this.pasidCompat = pasidCompat;
            this.fault = fault;
        }

        Model copy() {
            Model m = new Model(isVf, exists, pasidCompat, fault);
            for (int i = 0; i < slot.length; i++) {
                m.slot[i] = slot[i].clone();
            }
            System.arraycopy(ridBy, 0, m.ridBy, 0, ridBy.length);
            return m;
        }

        private boolean pasidsInUse(int dev) {
            for (int p = 1; p < SLOTS; p++) {
                if (slot[dev][p] != 0) {
                    return true;
                }
            }
            return false;
        }

        /** The RID attached or replaced through the path {@code by}; the other path's RID is EBUSY. */
        private int attachRid(int dev, int h, int by) {
            int[] s = slot[dev];
            if (!exists.contains(h)) {
                return -2; // ENOENT: iommufd_get_object comes first
            }
            if (ridBy[dev] != BY_NONE && ridBy[dev] != by) {
                return -16; // EBUSY: a second attach of the RID, not a replace
            }
            if (s[0] == h) {
                return h;
            }
            if (fault.contains(h) && isVf[dev] || !pasidCompat.contains(h) && pasidsInUse(dev)) {
                return -22;
            }
            s[0] = h;
            ridBy[dev] = by;
            return h;
        }

        private int detachRid(int dev, int by) {
            if (ridBy[dev] == by) {
                slot[dev][0] = 0;
                ridBy[dev] = BY_NONE;
            }
            return 0;
        }

        /** Applies {@code op}; returns its result as the host must report it. */
        int apply(Op op) {
            int[] s = slot[op.dev()];
            int h = op.hwpt();
            int p = op.pasid();
            switch (op.kind()) {
                case 0 -> {
                    return attachRid(op.dev(), h, BY_FLAGLESS);
                }
                case 1 -> {
                    return detachRid(op.dev(), BY_FLAGLESS);
                }
                case 3 -> {
                    if (p == 0) {
                        return detachRid(op.dev(), BY_PASID_0);
                    }
                    s[p] = 0;
                    return 0;
                }
                default -> {
                    if (p == 0) {
                        return attachRid(op.dev(), h, BY_PASID_0);
                    }
                    if (!exists.contains(h)) {
                        return -2;
                    }
                    if (s[p] == h) {
                        return h;
                    }
                    if (fault.contains(h) && isVf[op.dev()] || !pasidCompat.contains(h)
                            || s[0] != 0 && !pasidCompat.contains(s[0])) {
                        return -22;
                    }
                    s[p] = h;
                    return h;
                }
            }
        }

        String key() {
            return Arrays.deepToString(slot) + Arrays.toString(ridBy);
        }
    }

    @Test
    void eightThreadsAgreeWithASequentialModel() throws Exception {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        PciAddress vfAddress = host.enableVfs(Devices.PF, 1).getFirst();
        SimIommufd fd = host.openIommufd();
        SimVfioDevice pf = host.openDevice(Devices.PF);
        SimVfioDevice vf = host.openDevice(vfAddress);
        SimVfioDevice[] devs = {pf, vf};
        int pfId = pf.bind(fd);
        vf.bind(fd);
        int ioas = fd.allocIoas();
        int c1 = fd.allocHwpt(HwptAlloc.paging(pfId, ioas, HwptAlloc.PASID));
        int c2 = fd.allocHwpt(HwptAlloc.paging(pfId, ioas, HwptAlloc.PASID));
        int plain = fd.allocHwpt(HwptAlloc.paging(pfId, ioas, 0));
        int faulty = fd.allocHwpt(HwptAlloc.pagingWithFault(pfId, ioas, HwptAlloc.PASID, fd.allocFaultQueue()));
        int[] hwpts = {c1, c2, plain, faulty, 4711};
        Model model = new Model(new boolean[] {false, true}, Set.of(c1, c2, plain, faulty), Set.of(c1, c2, faulty),
                Set.of(faulty));

        Done[] round = new Done[THREADS];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] checked = {0};
        Model[] current = {model};
        CyclicBarrier start = new CyclicBarrier(THREADS);
        CyclicBarrier end = new CyclicBarrier(THREADS, () -> {
            try {
                current[0] = check(List.of(round), current[0], devs);
                checked[0]++;
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            threads.add(Thread.ofPlatform().start(() -> {
                Random rnd = new Random(SEED + me);
                try {
                    for (int r = 0; r < ROUNDS && failure.get() == null; r++) {
                        Op op = new Op(rnd.nextInt(2), rnd.nextInt(4), rnd.nextInt(SLOTS), hwpts[rnd.nextInt(hwpts.length)]);
                        start.await(10, TimeUnit.SECONDS);
                        round[me] = new Done(op, run(devs[op.dev()], op));
                        end.await(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException | BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertThat(checked[0]).isEqualTo(ROUNDS);
        pf.close();
        vf.close();
        for (int h : new int[] {c1, c2, plain, faulty}) {
            fd.destroy(h); // nothing leaked a reference
        }
        assertThat(host.pciDev(Devices.PF).priEnabled()).as("the last fault-capable detach turned PRI off").isFalse();
    }

    private static int run(SimVfioDevice d, Op op) {
        try {
            return switch (op.kind()) {
                case 0 -> d.attachPt(op.hwpt());
                case 1 -> {
                    d.detachPt();
                    yield 0;
                }
                case 2 -> d.attachPasidPt(op.pasid(), op.hwpt());
                default -> {
                    d.detachPasidPt(op.pasid());
                    yield 0;
                }
            };
        } catch (HostException e) {
            return -e.errno().value();
        }
    }

    /**
     * Finds the orders of the round's operations that explain every outcome and returns the model
     * in the state the host is in, failing when no order does.
     */
    private static Model check(List<Done> round, Model before, SimVfioDevice[] devs) {
        List<Model> ends = new ArrayList<>();
        search(round, 0, before, new HashSet<>(), ends);
        assertThat(ends).as("an order of %s explains the outcomes", round).isNotEmpty();
        int[][] actual = new int[devs.length][SLOTS];
        int[] ridBy = new int[devs.length];
        for (int d = 0; d < devs.length; d++) {
            int pasids = 0;
            for (int p = 0; p < SLOTS; p++) {
                actual[d][p] = devs[d].attachedHwpt(p);
                int hw = p == 0 ? devs[d].iommuDevice().ridDomain() : devs[d].iommuDevice().pasidDomain(p);
                assertThat(hw).as("IOMMU entry of device %d slot %d", d, p).isEqualTo(actual[d][p]);
                pasids += p != 0 && actual[d][p] != 0 ? 1 : 0;
            }
            // vfio's ida holds the attached PASIDs, and 0 when the RID came through the PASID flag
            ridBy[d] = actual[d][0] == 0 ? Model.BY_NONE
                    : devs[d].attachedPasids() > pasids ? Model.BY_PASID_0 : Model.BY_FLAGLESS;
        }
        String key = Arrays.deepToString(actual) + Arrays.toString(ridBy);
        return ends.stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(
                "host state " + key + " is not the end state of any order explaining " + round));
    }

    private static void search(List<Done> round, int used, Model m, Set<String> seen, List<Model> ends) {
        if (!seen.add(used + "|" + m.key())) {
            return;
        }
        if (used == (1 << round.size()) - 1) {
            ends.add(m);
            return;
        }
        for (int i = 0; i < round.size(); i++) {
            if ((used & 1 << i) != 0) {
                continue;
            }
            Model next = m.copy();
            if (next.apply(round.get(i).op()) == round.get(i).result()) {
                search(round, used | 1 << i, next, seen, ends);
            }
        }
    }
}
