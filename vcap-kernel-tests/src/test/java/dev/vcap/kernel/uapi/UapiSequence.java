package dev.vcap.kernel.uapi;

import dev.vcap.host.Errno;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.uapi.IommuHwptAlloc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A named sequence of uAPI calls, each run the same way on the kernel and on the simulation.
 * Objects are named, not numbered: each side keeps its own name → ID table, so the answers compare
 * by meaning ({@code ok -> hp2}: the attach returned the HWPT this sequence calls hp2; {@code ok ->
 * new}: an object the sequence did not allocate, an automatic domain) and never by ID.
 *
 * @param name  what the sequence exercises
 * @param steps its calls, in order
 */
record UapiSequence(String name, List<Step> steps) {

    /** A call: its description and what it does on one side. */
    record Step(String text, StepFn fn) {
    }

    @FunctionalInterface
    interface StepFn {
        String run(UapiTarget t, Names names, Arena arena);
    }

    /** One side's names: object name → ID. */
    static final class Names {
        private final Map<String, Integer> ids = new HashMap<>();
        private int fresh;

        int id(String name) {
            if (name.startsWith("#")) {
                return Integer.parseUnsignedInt(name.substring(1));
            }
            return ids.getOrDefault(name, 0); // a name whose allocation failed: ID 0, which no object has
        }

        void put(String name, int id) {
            ids.put(name, id);
        }

        /** Forgets a destroyed object: the kernel may give its ID to the next one. */
        void remove(String name) {
            ids.remove(name);
        }

        /** The name of an ID an ioctl returned; an unknown one becomes {@code new} and is named {@code autoN}. */
        String nameOf(int id) {
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                if (e.getValue() == id) {
                    return e.getKey();
                }
            }
            ids.put("auto" + ++fresh, id);
            return "new";
        }
    }

    /** Runs the sequence on one side; the answer of each step, in order. */
    List<String> run(UapiTarget t) {
        Names names = new Names();
        List<String> answers = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (Step s : steps) {
                answers.add(s.fn().run(t, names, arena));
            }
        }
        return answers;
    }

    static String answer(int r) {
        return r >= 0 ? "ok" : Errno.find(-r).map(Enum::name).orElse("errno " + -r);
    }

    // ------------------------------------------------------------------ steps

    static Step bind() {
        return new Step("VFIO_DEVICE_BIND_IOMMUFD", (t, n, a) -> {
            int r = t.bind();
            if (r >= 0) {
                n.put("dev", r);
            }
            return answer(r);
        });
    }

    static Step ioas(String name) {
        return new Step("IOMMU_IOAS_ALLOC " + name, (t, n, a) -> {
            int r = t.ioasAlloc();
            if (r >= 0) {
                n.put(name, r);
            }
            return answer(r);
        });
    }

    /** IOMMU_HWPT_ALLOC of a paging HWPT named {@code name} on {@code pt} with {@code flags}. */
    static Step hwpt(String name, int flags, String pt) {
        return new Step(String.format("IOMMU_HWPT_ALLOC %s on %s, flags 0x%x", name, pt, flags), (t, n, a) -> {
            MemorySegment s = a.allocate(IommuHwptAlloc.LAYOUT);
            IommuHwptAlloc.encode(s, HwptAlloc.paging(n.id("dev"), n.id(pt), flags));
            int r = t.hwptAlloc(s);
            if (r >= 0) {
                n.put(name, IommuHwptAlloc.outHwptId(s));
            }
            return answer(r);
        });
    }

    /** VFIO_DEVICE_ATTACH_IOMMUFD_PT with the given argsz and flags, in a 16-byte buffer. */
    static Step attach(int argsz, int flags, String pt, int pasid) {
        String what = flags == 0 ? "RID" : "PASID " + Integer.toUnsignedString(pasid);
        return new Step(String.format("ATTACH %s to %s (argsz %d, flags 0x%x)", what, pt, argsz, flags), (t, n, a) -> {
            MemorySegment s = ints(a, 16, argsz, flags, n.id(pt), pasid);
            int r = t.attach(s);
            return r < 0 ? answer(r) : "ok -> " + n.nameOf(s.get(ValueLayout.JAVA_INT, 8));
        });
    }

    static Step attachRid(String pt) {
        return attach(16, 0, pt, 0);
    }

    static Step attachPasid(int pasid, String pt) {
        return attach(16, 1, pt, pasid);
    }

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT with the given argsz and flags, in a 12-byte buffer. */
    static Step detach(int argsz, int flags, int pasid) {
        String what = flags == 0 ? "RID" : "PASID " + Integer.toUnsignedString(pasid);
        return new Step(String.format("DETACH %s (argsz %d, flags 0x%x)", what, argsz, flags),
                (t, n, a) -> answer(t.detach(ints(a, 12, argsz, flags, pasid))));
    }

    static Step detachRid() {
        return detach(12, 0, 0);
    }

    static Step detachPasid(int pasid) {
        return detach(12, 1, pasid);
    }

    static Step destroy(String name) {
        return new Step("IOMMU_DESTROY " + name, (t, n, a) -> {
            int r = t.destroy(n.id(name));
            if (r >= 0) {
                n.remove(name);
            }
            return answer(r);
        });
    }

    static Step closeDevice() {
        return new Step("close the device file", (t, n, a) -> {
            t.closeDevice();
            return "ok";
        });
    }

    private static MemorySegment ints(Arena a, int bytes, int... values) {
        MemorySegment s = a.allocate(bytes, 8);
        for (int i = 0; i < values.length; i++) {
            s.set(ValueLayout.JAVA_INT, 4L * i, values[i]);
        }
        return s;
    }

    @Override
    public String toString() {
        return name;
    }
}
