package dev.vcap.linux;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.pci.config.PciAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code vcap probe}: the PASID passthrough sequence a VMM runs, on one live vfio-pci function, with
 * every step's kernel answer. Read-only steps always run: bind (what any VMM does to open a device),
 * IOMMU_GET_HW_INFO, the PASID-flagged detach of a PASID nothing attached, IOAS and HWPT allocation in
 * vcap's own iommufd context. The steps that change the device's IOMMU state — IOAS map, RID attach,
 * PASID attach, replace, detach, unmap — run only when asked ({@code attach}); otherwise each is
 * reported with what it would do. Whatever happens, everything is undone in reverse order (detach,
 * unmap, destroy, unbind, close), each undo reported too, so no object or descriptor is left behind.
 */
public final class PasidProbe {

    /** The PASID the probe attaches. */
    public static final int PASID = 1;
    /** The IOVA of the probe's one-page mapping. */
    public static final long IOVA = 0x10_0000L;
    static final int PAGE = 4096;

    /** What happened to one step. */
    public enum Outcome {
        OK, FAILED, SKIPPED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One step.
     *
     * @param name          what it is, e.g. {@code PASID attach}
     * @param call          the ioctl or system call
     * @param args          its arguments, as a VMM engineer writes them
     * @param changesState  true when it changes the device's IOMMU state (needs {@code attach})
     * @param outcome       ok, failed or skipped
     * @param errno         the kernel's errno when it failed, else null
     * @param result        what it returned (an ID, a HWPT) or why it was skipped
     * @param cleanup       true for an undo step of the final clean-up
     */
    public record Step(String name, String call, String args, boolean changesState, Outcome outcome, Errno errno,
            String result, boolean cleanup) {

        /** {@code ok}, the errno's name, or {@code skipped}. */
        public String answer() {
            return outcome == Outcome.FAILED ? errno.name() : outcome.label();
        }
    }

    /**
     * The whole run.
     *
     * @param address      the function
     * @param deviceFile   its vfio device file
     * @param attach       whether state-changing steps were allowed
     * @param steps        every step, clean-up last
     * @param hwInfo       IOMMU_GET_HW_INFO's answer, or null when the probe did not get that far
     * @param pasidAttach  the kernel's PASID attach support as the probe found it
     * @param allocPasid   IOMMU_HWPT_ALLOC_PASID support as the probe found it
     * @param passthrough  PASID passthrough of this function on this host: yes, no, or unknown
     * @param verdict      one sentence saying why
     */
    public record Report(PciAddress address, String deviceFile, boolean attach, List<Step> steps, HwInfo hwInfo,
            Feature pasidAttach, Feature allocPasid, Feature.Status passthrough, String verdict) {

        /** True when every undo step succeeded. */
        public boolean cleanedUp() {
            return steps.stream().filter(Step::cleanup).allMatch(s -> s.outcome() != Outcome.FAILED);
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private final Deque<Undo> undo = new ArrayDeque<>();
    private final boolean attach;
    private HwInfo info;
    private Feature pasidAttach = Feature.unknown("pasid_attach", "not probed");
    private Feature allocPasid = Feature.unknown("hwpt_alloc_pasid", "not probed");
    private boolean attached;

    private record Undo(String key, String name, String call, String args, boolean changesState, Runnable action) {
    }

    private PasidProbe(boolean attach) {
        this.attach = attach;
    }

    /**
     * Runs the probe.
     *
     * @param attach allow the steps that change the device's IOMMU state
     * @return every step; a function vfio-pci does not own stops at "open device" (ENODEV), before any
     *         vfio file is opened
     */
    public static Report run(LinuxHost host, PciAddress address, boolean attach) {
        return new PasidProbe(attach).probe(host, address);
    }

    private Report probe(LinuxHost host, PciAddress address) {
        String file = host.function(address).flatMap(f -> f.vfioDevicePath(host.devRoot().toString())).orElse(null);
        try (Arena arena = Arena.ofConfined()) { // the mapped page outlives the clean-up's unmap
            try {
                sequence(host, address, file, arena);
            } finally {
                cleanUp();
            }
        }
        return verdict(new Report(address, file, attach, List.copyOf(steps), info, pasidAttach, allocPasid, null,
                null), attached);
    }

    /** The steps in order; returns early, leaving the rest to the clean-up, at the first refusal that ends it. */
    private void sequence(LinuxHost host, PciAddress address, String file, Arena arena) {
        LinuxIommufd fd = open("open iommufd", "open", host.iommuPath() + ", O_RDWR", host::openIommufd);
        if (fd == null) {
            return;
        }
        undo("iommufd", "close iommufd", "close", host.iommuPath().toString(), false, fd::close);
        LinuxVfioDevice dev = open("open device", "open", (file == null ? "(no vfio device file)" : file)
                + ", O_RDWR", () -> host.openDevice(address));
        if (dev == null) {
            return;
        }
        undo("device", "close device (unbind)", "close", String.valueOf(file), false, dev::close);
        int devId = (int) step("bind", "VFIO_DEVICE_BIND_IOMMUFD", "iommufd " + host.iommuPath(), false,
                () -> dev.bind(fd), id -> "dev_id " + id);
        if (devId < 0) {
            return;
        }
        LinuxVfioDevice.PasidAttach probe = dev.pasidAttach();
        record(new Step("PASID flag probe", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "flags DETACH_PASID, pasid "
                + LinuxVfioDevice.PROBE_PASID + " (never attached)", false,
                probe == LinuxVfioDevice.PasidAttach.SUPPORTED ? Outcome.OK : Outcome.FAILED,
                switch (probe) {
                    case SUPPORTED, NOT_PROBED -> null;
                    case NO_DRIVER_OPS -> Errno.EOPNOTSUPP;
                    case FLAG_UNKNOWN -> Errno.EINVAL;
                }, probe == LinuxVfioDevice.PasidAttach.SUPPORTED ? "a no-op: the kernel knows the flag"
                        : probe == LinuxVfioDevice.PasidAttach.FLAG_UNKNOWN
                                ? "the same detach without the flag succeeded: the flag is unknown"
                                : "the driver has no PASID ops", false));
        pasidAttach = KernelFeatures.pasidAttach(probe, host.function(address).map(f -> f.driver()).orElse("?"), "");
        HwInfo[] hw = new HwInfo[1];
        step("hardware info", "IOMMU_GET_HW_INFO", "dev_id " + devId, false, () -> {
            hw[0] = fd.getHwInfo(devId);
            return 0;
        }, ignored -> describeHwInfo(hw[0]));
        info = hw[0];
        int ioas = (int) step("IOAS alloc", "IOMMU_IOAS_ALLOC", "", false, fd::allocIoas, id -> "ioas " + id);
        if (ioas < 0) {
            return;
        }
        undo("ioas", "IOAS destroy", "IOMMU_DESTROY", "id " + ioas, false, () -> fd.destroy(ioas));
        String on = "dev_id " + devId + ", pt_id " + ioas;
        int pasidHwpt = (int) step("HWPT alloc", "IOMMU_HWPT_ALLOC", on + ", flags IOMMU_HWPT_ALLOC_PASID", false,
                () -> fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID)), id -> "hwpt " + id);
        Optional<Errno> pasidOutcome = pasidHwpt > 0 ? Optional.empty() : Optional.of(last().errno());
        int ridHwpt = pasidHwpt;
        Optional<Errno> plainOutcome = Optional.empty();
        if (pasidHwpt < 0) {
            ridHwpt = (int) step("HWPT alloc without ALLOC_PASID", "IOMMU_HWPT_ALLOC", on + ", flags 0", false,
                    () -> fd.allocHwpt(HwptAlloc.paging(devId, ioas, 0)), id -> "hwpt " + id);
            plainOutcome = ridHwpt > 0 ? Optional.empty() : Optional.of(last().errno());
        }
        allocPasid = KernelFeatures.hwptAllocPasid(plainOutcome, pasidOutcome, "");
        destroyLater(fd, ridHwpt);
        int second = -1;
        if (pasidHwpt > 0) {
            second = (int) step("HWPT alloc (for the replace)", "IOMMU_HWPT_ALLOC", on
                    + ", flags IOMMU_HWPT_ALLOC_PASID", false, () -> fd.allocHwpt(HwptAlloc.paging(devId, ioas,
                            HwptAlloc.PASID)), id -> "hwpt " + id);
            destroyLater(fd, second);
        }
        attached = changes(fd, dev, ioas, ridHwpt, second, arena);
    }

    /** The state-changing steps; true when RID attach, PASID attach, replace and detach all succeeded. */
    private boolean changes(LinuxIommufd fd, LinuxVfioDevice dev, int ioas, int a, int b, Arena arena) {
        String why = "changes the device's IOMMU state; --attach runs it";
        MemorySegment page = arena.allocate(PAGE, PAGE);
        List<Step> planned = List.of(
                new Step("IOAS map", "IOMMU_IOAS_MAP", String.format("ioas %d, 4 KiB at IOVA 0x%x, FIXED_IOVA|READABLE"
                        + "|WRITEABLE", ioas, IOVA), true, Outcome.SKIPPED, null, why, false),
                new Step("RID attach", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "pt_id " + a, true, Outcome.SKIPPED, null, why,
                        false),
                new Step("PASID attach", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "flags ATTACH_PASID, pasid " + PASID
                        + ", pt_id " + a, true, Outcome.SKIPPED, null, why, false),
                new Step("PASID replace", "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "flags ATTACH_PASID, pasid " + PASID
                        + ", pt_id " + (b > 0 ? b : "(a second HWPT)"), true, Outcome.SKIPPED, null, why, false),
                new Step("PASID detach", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "flags DETACH_PASID, pasid " + PASID, true,
                        Outcome.SKIPPED, null, why, false),
                new Step("RID detach", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "flags 0", true, Outcome.SKIPPED, null, why,
                        false),
                new Step("IOAS unmap", "IOMMU_IOAS_UNMAP", String.format("ioas %d, 4 KiB at IOVA 0x%x", ioas, IOVA),
                        true, Outcome.SKIPPED, null, why, false));
        if (!attach || a < 0) {
            for (Step s : planned) {
                record(a < 0 && attach ? new Step(s.name(), s.call(), s.args(), true, Outcome.SKIPPED, null,
                        "no HWPT to attach", false) : s);
            }
            return false;
        }
        long mapped = step("IOAS map", planned.get(0).call(), planned.get(0).args(), true, () -> fd.map(ioas,
                page, IOVA), iova -> String.format("IOVA 0x%x", iova));
        if (mapped >= 0) {
            undo("map", "IOAS unmap", "IOMMU_IOAS_UNMAP", planned.get(6).args(), true,
                    () -> fd.unmap(ioas, IOVA, PAGE));
        }
        long rid = step("RID attach", planned.get(1).call(), planned.get(1).args(), true, () -> dev.attachPt(a),
                id -> "hwpt " + id + " attached");
        if (rid < 0) {
            skipRest(planned, 2, "the RID is not attached");
            finishUnmap(fd, ioas, planned, mapped >= 0);
            return false;
        }
        undo("rid", "RID detach", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "flags 0", true, dev::detachPt);
        long p = step("PASID attach", planned.get(2).call(), planned.get(2).args(), true,
                () -> dev.attachPasidPt(PASID, a), id -> "hwpt " + id + " attached to pasid " + PASID);
        boolean ok = p > 0;
        if (ok) {
            undo("pasid", "PASID detach", "VFIO_DEVICE_DETACH_IOMMUFD_PT", "flags DETACH_PASID, pasid " + PASID, true,
                    () -> dev.detachPasidPt(PASID));
            if (b > 0) {
                ok &= step("PASID replace", planned.get(3).call(), planned.get(3).args(), true,
                        () -> dev.attachPasidPt(PASID, b), id -> "hwpt " + id + " now attached to pasid " + PASID) > 0;
            } else {
                record(withResult(planned.get(3), "no second HWPT"));
            }
            ok &= runUndo("pasid", planned.get(4));
        } else {
            record(withResult(planned.get(3), "the PASID is not attached"));
            record(withResult(planned.get(4), "the PASID is not attached"));
        }
        ok &= runUndo("rid", planned.get(5));
        finishUnmap(fd, ioas, planned, mapped >= 0);
        return ok;
    }

    private void finishUnmap(LinuxIommufd fd, int ioas, List<Step> planned, boolean mapped) {
        if (mapped) {
            runUndo("map", planned.get(6));
        } else {
            record(withResult(planned.get(6), "nothing mapped"));
        }
    }

    private void skipRest(List<Step> planned, int from, String why) {
        for (int i = from; i < planned.size() - 1; i++) {
            record(withResult(planned.get(i), why));
        }
    }

    private static Step withResult(Step s, String why) {
        return new Step(s.name(), s.call(), s.args(), s.changesState(), Outcome.SKIPPED, null, why, false);
    }

    /** Runs the undo registered under {@code key} now, as the sequence's own step. */
    private boolean runUndo(String key, Step as) {
        Undo u = undo.stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow();
        undo.remove(u);
        return step(as.name(), as.call(), as.args(), as.changesState(), () -> {
            u.action().run();
            return 0;
        }, ignored -> "done") >= 0;
    }

    private void cleanUp() {
        while (!undo.isEmpty()) {
            Undo u = undo.pop();
            try {
                u.action().run();
                record(new Step(u.name(), u.call(), u.args(), u.changesState(), Outcome.OK, null, "done", true));
            } catch (HostException e) {
                record(new Step(u.name(), u.call(), u.args(), u.changesState(), Outcome.FAILED, e.errno(),
                        e.getMessage(), true));
            } catch (dev.vcap.linux.sys.SyscallException e) {
                record(new Step(u.name(), u.call(), u.args(), u.changesState(), Outcome.FAILED,
                        e.known().orElse(Errno.EIO), e.getMessage(), true));
            }
        }
    }

    private void destroyLater(LinuxIommufd fd, int hwpt) {
        if (hwpt > 0) {
            undo("hwpt " + hwpt, "HWPT destroy", "IOMMU_DESTROY", "id " + hwpt, false, () -> fd.destroy(hwpt));
        }
    }

    private void undo(String key, String name, String call, String args, boolean changesState, Runnable action) {
        undo.push(new Undo(key, name, call, args, changesState, action));
    }

    private <T> T open(String name, String call, String args, Supplier<T> open) {
        try {
            T t = open.get();
            record(new Step(name, call, args, false, Outcome.OK, null, "open", false));
            return t;
        } catch (HostException e) {
            record(new Step(name, call, args, false, Outcome.FAILED, e.errno(), e.getMessage(), false));
            return null;
        }
    }

    /** Runs one call; returns its value, or -1 when the kernel refused it (recorded with its errno). */
    private long step(String name, String call, String args, boolean changesState, LongSupplier action,
            LongFunction<String> describe) {
        try {
            long v = action.getAsLong();
            record(new Step(name, call, args, changesState, Outcome.OK, null, describe.apply(v), false));
            return v;
        } catch (HostException e) {
            record(new Step(name, call, args, changesState, Outcome.FAILED, e.errno(), explain(call, e.errno()),
                    false));
            return -1;
        }
    }

    private void record(Step s) {
        steps.add(s);
    }

    private Step last() {
        return steps.get(steps.size() - 1);
    }

    /** What an errno means for this call, where the kernel sources say so. */
    static String explain(String call, Errno errno) {
        return switch (call + " " + errno) {
            case "VFIO_DEVICE_BIND_IOMMUFD EBUSY" -> "another user owns the IOMMU group (a VM, or the legacy group API)";
            case "VFIO_DEVICE_BIND_IOMMUFD EACCES" -> "a VF of a vfio-owned PF: the bind needs the PF's VF token";
            case "IOMMU_HWPT_ALLOC EOPNOTSUPP" -> "IOMMU_HWPT_ALLOC_PASID unknown (Linux < 6.15) or unsupported by"
                    + " the IOMMU driver";
            case "VFIO_DEVICE_ATTACH_IOMMUFD_PT EINVAL" -> "refused: on Linux < 6.15 the PASID flag is unknown;"
                    + " otherwise a domain that is not PASID-compatible, or a PASID beyond the device's width";
            case "VFIO_DEVICE_ATTACH_IOMMUFD_PT EOPNOTSUPP" -> "the driver has no PASID ops";
            case "VFIO_DEVICE_ATTACH_IOMMUFD_PT EBUSY" -> "the device is being reset, or the PASID or RID is held";
            case "IOMMU_DESTROY EBUSY" -> "the object is still in use";
            default -> errno + " from " + call;
        };
    }

    /** {@code Intel VT-d, out_max_pasid_log2 20, capabilities 0x6 (PCI_PASID_EXEC, PCI_PASID_PRIV)}. */
    public static String describeHwInfo(HwInfo h) {
        String type = h.dataType() == HwInfo.TYPE_INTEL_VTD ? "Intel VT-d" : "type " + h.dataType();
        List<String> names = h.capabilityNames();
        return String.format(Locale.ROOT, "%s, out_max_pasid_log2 %d, capabilities 0x%x%s", type, h.maxPasidLog2(),
                h.capabilities(), names.isEmpty() ? "" : " (" + String.join(", ", names) + ")");
    }

    /** The verdict from what the steps found. */
    static Report verdict(Report r, boolean attached) {
        Feature.Status status;
        String why;
        if (r.hwInfo() == null) {
            status = Feature.Status.UNKNOWN;
            Step failed = r.steps().stream().filter(s -> s.outcome() == Outcome.FAILED).findFirst().orElse(null);
            why = "the probe stopped before IOMMU_GET_HW_INFO" + (failed == null ? "" : ": " + failed.name() + " "
                    + failed.answer() + " (" + failed.result() + ")");
        } else if (r.pasidAttach().status() == Feature.Status.NO) {
            status = Feature.Status.NO;
            why = r.pasidAttach().detail();
        } else if (r.allocPasid().status() == Feature.Status.NO) {
            status = Feature.Status.NO;
            why = r.allocPasid().detail();
        } else if (!r.hwInfo().pasidSupported()) {
            status = Feature.Status.NO;
            why = "the kernel has PASID attach, but IOMMU_GET_HW_INFO reports out_max_pasid_log2 0 for "
                    + r.address() + ": the function has no PASID capability, or the IOMMU did not enable it";
        } else if (!r.attach()) {
            status = Feature.Status.YES;
            why = String.format(Locale.ROOT, "the kernel has PASID attach and ALLOC_PASID, and the function has %d-bit"
                    + " PASIDs; --attach also tries an attach, replace and detach", r.hwInfo().maxPasidLog2());
        } else if (attached) {
            status = Feature.Status.YES;
            why = String.format(Locale.ROOT, "PASID %d attached, replaced and detached on a %d-bit PASID function",
                    PASID, r.hwInfo().maxPasidLog2());
        } else {
            status = Feature.Status.NO;
            Step failed = r.steps().stream().filter(s -> s.changesState() && s.outcome() == Outcome.FAILED)
                    .findFirst().orElse(null);
            why = failed == null ? "a step was skipped" : failed.name() + " failed: " + failed.answer() + " ("
                    + failed.result() + ")";
        }
        return new Report(r.address(), r.deviceFile(), r.attach(), r.steps(), r.hwInfo(), r.pasidAttach(),
                r.allocPasid(), status, why);
    }
}
