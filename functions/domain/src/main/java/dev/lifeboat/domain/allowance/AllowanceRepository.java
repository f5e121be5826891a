package dev.lifeboat.domain.allowance;

/** Port: where allowances are kept. */
public interface AllowanceRepository {
    /** The allowance without the ids of policies deleted since; version 0 and no ids when never set. */
    Allowance findAllowance(String enterprise, String datacenter);

    /** Writes when the stored version is {@code expectedVersion} (0: none stored); VERSION_MISMATCH otherwise. */
    void saveAllowance(Allowance allowance, long expectedVersion);
}
