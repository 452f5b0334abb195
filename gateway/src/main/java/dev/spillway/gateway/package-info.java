/** The Spillway gateway server. */
package dev.spillway.gateway;
