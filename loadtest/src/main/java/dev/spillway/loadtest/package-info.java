/** The Spillway load tester, simulator and experiment runner. */
package dev.spillway.loadtest;
