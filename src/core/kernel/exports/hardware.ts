// APIs that need real hardware: GPIO lines (the legacy gpio_* calls and gpiod_*). The emulated
// machine is the oracle's QEMU PC, which has no GPIO lines a module could ask for, so each call
// answers as Linux 6.1 answers there (gpio_request() of a valid number: -EPROBE_DEFER, "the chip
// may appear later"; values read 0; gpio_to_irq(): -EINVAL) and, the first time a module uses
// it, says plainly in the log and as a runtime finding that it is not emulated, naming the API.

import type { KernelExport } from './types';
import type { Kernel } from '../kernel';
import type { CallSite } from '../../vm/machine';
import type { I64 } from '../../vm/value';

const EPROBE_DEFER = -517;
const EINVAL = -22;
const ENOENT = -2;
/** ARCH_NR_GPIOS of the x86_64 6.1 kernel: numbers below it are "valid" even without a chip. */
const ARCH_NR_GPIOS = 512;

const num = (v: I64): number => (typeof v === 'number' ? v : Number(BigInt.asIntN(64, v)));

const NOTED = new WeakMap<Kernel, Set<string>>();

/** The note, once per API and machine: Kernel Module Lab's own line (`kmodlab:`), not the kernel's. */
function notEmulated(k: Kernel, api: string, site: CallSite, answer: string): void {
  let noted = NOTED.get(k);
  if (!noted) NOTED.set(k, (noted = new Set()));
  if (noted.has(api)) return;
  noted.add(api);
  const message = `not emulated: ${api}(): GPIO lines need real hardware, and the emulated machine (a QEMU PC) has none; it ${answer}, as Linux does there`;
  k.log(5, `kmodlab: ${message}`, site.span);
  k.finding('not-emulated', message, site.span, [], [`kmodlab: ${message}`]);
}

/** gpio_request() and friends for one number: -EPROBE_DEFER while the number is valid, else -EINVAL. */
function requestAnswer(gpio: number): number {
  return gpio >= 0 && gpio < ARCH_NR_GPIOS ? EPROBE_DEFER : EINVAL;
}

const answer = (ret: number): string => (ret === EPROBE_DEFER ? 'returns -EPROBE_DEFER' : `returns ${ret}`);

const gpio = (name: string, proto: string, doc: string, impl: (k: Kernel, a: I64[]) => number | undefined, says: (ret: number | undefined) => string): KernelExport => ({
  name, header: name.startsWith('gpiod') ? 'linux/gpio/consumer.h' : 'linux/gpio.h', proto, doc,
  impl: (k, a, site) => {
    const ret = impl(k, a);
    notEmulated(k, name, site, says(ret));
    return ret;
  },
});

export const HARDWARE_EXPORTS: KernelExport[] = [
  gpio('gpio_request', 'int gpio_request(unsigned gpio, const char *label)', 'Claim a GPIO line. Not emulated: there are no GPIO lines.', (_k, a) => requestAnswer(num(a[0])), (r) => answer(r ?? 0)),
  gpio('gpio_request_one', 'int gpio_request_one(unsigned gpio, unsigned long flags, const char *label)', 'Claim and configure a GPIO line. Not emulated.', (_k, a) => requestAnswer(num(a[0])), (r) => answer(r ?? 0)),
  gpio('gpio_request_array', 'int gpio_request_array(const struct gpio *array, size_t num)', 'Claim several GPIO lines. Not emulated.',
    (k, a) => (num(a[1]) > 0 ? requestAnswer(k.mem.ld32(a[0]) >>> 0) : 0), (r) => answer(r ?? 0)),
  gpio('gpio_free', 'void gpio_free(unsigned gpio)', 'Release a GPIO line. Not emulated.', () => undefined, () => 'does nothing'),
  gpio('gpio_free_array', 'void gpio_free_array(const struct gpio *array, size_t num)', 'Release several GPIO lines. Not emulated.', () => undefined, () => 'does nothing'),
  gpio('gpio_direction_input', 'int gpio_direction_input(unsigned gpio)', 'Make a GPIO line an input. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
  gpio('gpio_direction_output', 'int gpio_direction_output(unsigned gpio, int value)', 'Make a GPIO line an output. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
  gpio('gpio_get_value', 'int gpio_get_value(unsigned gpio)', 'Read a GPIO line. Not emulated: reads 0.', () => 0, () => 'reads 0'),
  gpio('gpio_set_value', 'void gpio_set_value(unsigned gpio, int value)', 'Drive a GPIO line. Not emulated: does nothing.', () => undefined, () => 'does nothing'),
  gpio('gpio_to_irq', 'int gpio_to_irq(unsigned gpio)', 'The interrupt of a GPIO line. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
  gpio('gpiod_get', 'struct gpio_desc *gpiod_get(struct device *dev, const char *con_id, enum gpiod_flags flags)', 'Look up a GPIO line of a device. Not emulated: ERR_PTR(-ENOENT).', () => ENOENT, () => 'returns ERR_PTR(-ENOENT)'),
  gpio('gpiod_get_optional', 'struct gpio_desc *gpiod_get_optional(struct device *dev, const char *con_id, enum gpiod_flags flags)', 'gpiod_get() that returns NULL when there is no line. Not emulated: NULL.', () => 0, () => 'returns NULL'),
  gpio('gpiod_put', 'void gpiod_put(struct gpio_desc *desc)', 'Release a GPIO descriptor. Not emulated.', () => undefined, () => 'does nothing'),
  gpio('gpiod_get_value', 'int gpiod_get_value(const struct gpio_desc *desc)', 'Read a GPIO line. Not emulated: reads 0.', () => 0, () => 'reads 0'),
  gpio('gpiod_set_value', 'void gpiod_set_value(struct gpio_desc *desc, int value)', 'Drive a GPIO line. Not emulated: does nothing.', () => undefined, () => 'does nothing'),
  gpio('gpiod_direction_input', 'int gpiod_direction_input(struct gpio_desc *desc)', 'Make a GPIO line an input. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
  gpio('gpiod_direction_output', 'int gpiod_direction_output(struct gpio_desc *desc, int value)', 'Make a GPIO line an output. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
  gpio('gpiod_to_irq', 'int gpiod_to_irq(const struct gpio_desc *desc)', 'The interrupt of a GPIO line. Not emulated.', () => EINVAL, (r) => answer(r ?? 0)),
];
