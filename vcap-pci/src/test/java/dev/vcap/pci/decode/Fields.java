package dev.vcap.pci.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Looks up fields of a view by name in tests. */
final class Fields {

    private Fields() {
    }

    static RegisterField field(RegisterView view, String register, String field) {
        List<RegisterField> matches = view.fields().stream()
                .filter(f -> f.register().equals(register) && f.field().equals(field))
                .toList();
        assertThat(matches).as("%s / %s in %s", register, field, view.fields()).hasSize(1);
        return matches.get(0);
    }

    static long value(RegisterView view, String register, String field) {
        return field(view, register, field).value();
    }
}
