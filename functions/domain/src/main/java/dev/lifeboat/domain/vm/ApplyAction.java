package dev.lifeboat.domain.vm;

/**
 * What a pending apply-schedule run does: take the VM's configuration to the backup system (a change of a deployed
 * VM, or a deploy), or take the VM out of the backup system's schedules (the VM is no longer allocated).
 */
public enum ApplyAction { APPLY, REMOVE }
