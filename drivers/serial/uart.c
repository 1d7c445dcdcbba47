/*
 * uart.c - COM1 (I/O port 0x3f8), a 16550-compatible UART.
 *
 * Output is polled: wait for the transmit holding register to empty, then
 * write. Input arrives by interrupt (IRQ 4 through the IOAPIC): the
 * handler drains the receive FIFO into a ring buffer that
 * uart_getc_blocking() empties. Before interrupts are set up, input is
 * polled. uart_loopback() checks that receive path end to end with the
 * UART's loopback mode (the irq tests use it).
 */
#include "drivers/serial/uart.h"
#include "kernel/arch.h"
#include "kernel/lib/spinlock.h"

#define COM1 0x3f8
#define REG_DATA 0      /* RBR on read, THR on write; divisor low with DLAB */
#define REG_IER 1       /* interrupt enable; divisor high with DLAB */
#define REG_FCR 2       /* FIFO control */
#define REG_LCR 3       /* line control */
#define REG_MCR 4       /* modem control */
#define REG_LSR 5       /* line status */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40        /* THR and the shift register both empty */
#define IER_RX_AVAILABLE 0x01
#define MCR_DTR_RTS_OUT2 0x0b   /* OUT2 gates the IRQ line on PC hardware */
#define MCR_LOOP 0x10           /* loopback: transmitted bytes come back as received */
#define COM1_IRQ 4

#define RX_RING_SIZE 256
static struct {
	struct spinlock lock;
	char buf[RX_RING_SIZE];
	u32 head, tail;         /* head: next write; tail: next read */
	bool irq_enabled;
	u64 irq_chars;
} rx = { .lock = SPINLOCK_INIT("uart-rx") };

/* While the TSC is below this, uart_loopback() owns the line: uart_putc() waits. */
static volatile u64 loopback_until;

/* TSC value `us` microseconds from now (needs the calibrated tsc_hz). */
static u64 tsc_deadline(u64 us)
{
	return rdtsc() + tsc_hz / 1000000 * us;
}

/* Hold output back while a loopback test runs (it would come back as input). */
static void wait_loopback_done(void)
{
	while (rdtsc() < READ_ONCE(loopback_until))
		cpu_relax();
}

void uart_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80);     /* DLAB on */
	outb(COM1 + REG_DATA, 0x01);    /* divisor 1: 115200 baud */
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x03);     /* 8 bits, no parity, 1 stop, DLAB off */
	outb(COM1 + REG_FCR, 0xc7);     /* enable and clear FIFOs, 14-byte threshold */
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
}

void uart_putc(char c)
{
	if (unlikely(READ_ONCE(loopback_until)))
		wait_loopback_done();
	if (c == '\n')
		uart_putc('\r');
	for (int spins = 0; !(inb(COM1 + REG_LSR) & LSR_THR_EMPTY) && spins < 100000; spins++)
		cpu_relax();
	outb(COM1 + REG_DATA, (u8)c);
}

/* Interrupt handler: move every received byte into the ring (drops when full). */
static void uart_irq(struct trapframe *tf)
{
	UNUSED(tf);
	spin_lock(&rx.lock);
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY) {
		char c = (char)inb(COM1 + REG_DATA);
		rx.irq_chars++;
		if (rx.head - rx.tail < RX_RING_SIZE)
			rx.buf[rx.head++ % RX_RING_SIZE] = c;
	}
	spin_unlock(&rx.lock);
	lapic_eoi();
}

void uart_enable_rx_irq(void)
{
	irq_register(VEC_SERIAL, uart_irq);
	ioapic_route_isa(COM1_IRQ, VEC_SERIAL);
	rx.irq_enabled = true;
	outb(COM1 + REG_IER, IER_RX_AVAILABLE);
}

u64 uart_rx_irq_count(void)
{
	return READ_ONCE(rx.irq_chars);
}

/* Take the oldest byte from the ring, or -1 if it is empty. rx.lock held. */
static int ring_pop(void)
{
	if (rx.head == rx.tail)
		return -1;
	return (u8)rx.buf[rx.tail++ % RX_RING_SIZE];
}

int uart_getc_blocking(void)
{
	while (!rx.irq_enabled) {
		if (inb(COM1 + REG_LSR) & LSR_DATA_READY)
			return inb(COM1 + REG_DATA);
		cpu_relax();
	}
	u64 flags = irq_save();
	for (;;) {
		spin_lock(&rx.lock);
		int c = ring_pop();
		if (c >= 0) {
			spin_unlock_irqrestore(&rx.lock, flags);
			return c;
		}
		spin_unlock(&rx.lock);
		/* Interrupts are off here: sti;hlt cannot miss the wake-up. */
		sti_hlt();
		cli();
	}
}

int uart_try_getc(void)
{
	if (!rx.irq_enabled)
		return (inb(COM1 + REG_LSR) & LSR_DATA_READY) ? inb(COM1 + REG_DATA) : -1;
	u64 flags = spin_lock_irqsave(&rx.lock);
	int c = ring_pop();
	spin_unlock_irqrestore(&rx.lock, flags);
	return c;
}

/* Wait (bounded) until everything written so far has left the transmitter. */
static void wait_tx_idle(u64 timeout_us)
{
	u64 end = tsc_deadline(timeout_us);
	while (!(inb(COM1 + REG_LSR) & LSR_TX_IDLE) && rdtsc() < end)
		cpu_relax();
}

/*
 * Back in normal mode: keep at most `keep` bytes received since the ring
 * held `head0` bytes, and discard anything still in the receive FIFO.
 */
static void loopback_drain(u32 head0, u32 keep)
{
	u64 flags = spin_lock_irqsave(&rx.lock);
	while (inb(COM1 + REG_LSR) & LSR_DATA_READY)
		(void)inb(COM1 + REG_DATA);
	if (rx.head - head0 > keep)
		rx.head = head0 + keep;
	spin_unlock_irqrestore(&rx.lock, flags);
}

int uart_loopback(u8 byte, u64 timeout_us)
{
	if (!rx.irq_enabled || !irqs_enabled() || !tsc_hz)
		return -1;
	WRITE_ONCE(loopback_until, tsc_deadline(2 * timeout_us + 20000));
	wait_tx_idle(10000);    /* console output still in flight must not loop back */
	u64 flags = spin_lock_irqsave(&rx.lock);
	u32 head0 = rx.head;
	u64 count0 = rx.irq_chars;
	spin_unlock_irqrestore(&rx.lock, flags);
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2 | MCR_LOOP);
	outb(COM1 + REG_DATA, byte);
	u64 end = tsc_deadline(timeout_us);
	while (READ_ONCE(rx.irq_chars) == count0 && rdtsc() < end)
		cpu_relax();
	bool got = READ_ONCE(rx.irq_chars) != count0;
	wait_tx_idle(10000);
	outb(COM1 + REG_MCR, MCR_DTR_RTS_OUT2);
	loopback_drain(head0, got ? 1 : 0);
	WRITE_ONCE(loopback_until, 0);
	return got ? 0 : -1;
}
