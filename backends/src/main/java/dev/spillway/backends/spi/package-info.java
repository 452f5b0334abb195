/**
 * The backend service-provider interface: what a pool of serving replicas offers the gateway, with no
 * implementation in it.
 */
package dev.spillway.backends.spi;
