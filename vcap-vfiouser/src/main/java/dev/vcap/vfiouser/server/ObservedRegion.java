package dev.vcap.vfiouser.server;

import dev.vcap.host.ConfigRegion;
import java.util.function.Consumer;

/** A device's config region that reports every write reaching it ({@link ServerEvent.BackingWrite}). */
public final class ObservedRegion implements ConfigRegion {

    private final ConfigRegion region;
    private final Consumer<ServerEvent> events;

    public ObservedRegion(ConfigRegion region, Consumer<ServerEvent> events) {
        this.region = region;
        this.events = events;
    }

    @Override
    public int size() {
        return region.size();
    }

    @Override
    public int read(int offset, int width) {
        return region.read(offset, width);
    }

    @Override
    public void write(int offset, int width, int value) {
        events.accept(new ServerEvent.BackingWrite(offset, width, value));
        region.write(offset, width, value);
    }
}
