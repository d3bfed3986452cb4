package org.labloop.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.labloop.workcell.DeviceSpec;

class DriverRegistryTest {
    /** A provider of any type, simulated or not. */
    private record Provider(String type, boolean simulated) implements DriverProvider {
        @Override
        public Driver create(DeviceSpec device, DriverContext context) {
            throw new UnsupportedOperationException("not built in this test");
        }
    }

    @Test
    void providers_addTheirTypes_andSaySimulatedOrReal() {
        DriverRegistry r = DriverRegistry.with(List.of(new Provider("hplc-x", false), new Provider("twin-y", true)));

        assertThat(r.names()).containsExactly("sim", "hplc-x", "twin-y");
        assertThat(r.isSimulated("sim")).isTrue();
        assertThat(r.isSimulated("hplc-x")).isFalse();
        assertThat(r.isSimulated("twin-y")).isTrue();
    }

    @Test
    void twoProvidersOfOneType_orOneCalledSim_areRefused_namingBoth() {
        assertThatThrownBy(() -> DriverRegistry.with(List.of(new Provider("x", false), new Provider("x", false))))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("driver type 'x' is given by both")
                .hasMessageContaining(Provider.class.getName());
        assertThatThrownBy(() -> DriverRegistry.with(List.of(new Provider("sim", true))))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("LabLoop's simulated driver");
        assertThatThrownBy(() -> DriverRegistry.with(List.of(new Provider(" ", false))))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("gives no type name");
    }

    @Test
    void theStandardRegistry_findsPluginsOnTheClassPath() {
        assertThat(DriverRegistry.standard().names()).contains("sim", QuickRobotDriverProvider.TYPE);
    }
}
