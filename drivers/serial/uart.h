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
#endif
