/*
 * uart.c - COM1 (I/O port 0x3f8), a 16550-compatible UART.
 *
 * Output is polled: wait for the transmit holding register to empty, then
 * write. Input arrives by interrupt (IRQ 4 through the IOAPIC): the
 * handler drains the receive FIFO into a ring buffer that
 * uart_getc_blocking() empties. Before interrupts are set up, input is
 * polled.
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
#define IER_RX_AVAILABLE 0x01
#define MCR_DTR_RTS_OUT2 0x0b   /* OUT2 gates the IRQ line on PC hardware */
#define COM1_IRQ 4

#define RX_RING_SIZE 256
static struct {
	struct spinlock lock;
	char buf[RX_RING_SIZE];
	u32 head, tail;         /* head: next write; tail: next read */
	bool irq_enabled;
	u64 irq_chars;
} rx = { .lock = SPINLOCK_INIT("uart-rx") };

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
		if (rx.head != rx.tail) {
			char c = rx.buf[rx.tail++ % RX_RING_SIZE];
			spin_unlock_irqrestore(&rx.lock, flags);
			return (u8)c;
		}
		spin_unlock(&rx.lock);
		/* Interrupts are off here: sti;hlt cannot miss the wake-up. */
		sti_hlt();
		cli();
	}
}
