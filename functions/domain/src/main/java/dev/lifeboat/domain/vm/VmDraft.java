package dev.lifeboat.domain.vm;

/** A VM as a request or an event states it, before validation; any field may be null. */
public record VmDraft(String enterprise, String datacenter, String name, String state, Hypervisor hypervisor) {}
