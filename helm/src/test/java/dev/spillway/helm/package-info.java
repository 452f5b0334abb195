/** Offline checks of the helm chart and the container image: lint, render, parse, load. */
package dev.spillway.helm;
