/* uart.h - the COM1 16550 UART: the kernel console. */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H
#include "kernel/types.h"

/* Program COM1 for 115200 8N1 with FIFOs; output works from here on. */
void uart_init(void);
/* Route COM1's IRQ 4 through the IOAPIC and enable receive interrupts. */
void uart_enable_rx_irq(void);
void uart_putc(char c);
/* Next received character; sleeps (hlt) until one arrives. */
int uart_getc_blocking(void);
/* Characters received by interrupt so far (tests read it). */
u64 uart_rx_irq_count(void);
/* Next received character, or -1 at once if none is waiting. */
int uart_try_getc(void);
/*
 * Receive-path self-test. Puts COM1 in loopback mode (MCR bit 4), sends
 * `byte`, waits up to timeout_us for the receive interrupt to move it into
 * the ring that uart_getc_blocking()/uart_try_getc() read, then restores
 * normal mode. Meanwhile uart_putc() on any CPU waits (so console output
 * cannot loop back into the input); bytes beyond the first one that came
 * back, and anything left in the receive FIFO, are discarded (input
 * arriving from the line during the test may be lost with them).
 * The received byte stays in the ring for the caller to read.
 * Needs uart_enable_rx_irq(), the calibrated TSC, and interrupts enabled
 * on the calling CPU (the one COM1's IRQ is routed to). Returns 0 when a
 * byte arrived by interrupt, -1 on timeout or when the needs are not met.
 * Not for use while another caller runs it.
 */
int uart_loopback(u8 byte, u64 timeout_us);
#endif
