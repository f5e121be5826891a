package dev.lifeboat.domain.identity;

import dev.lifeboat.domain.error.DomainException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who sends a request, as the JWT authorizer vouched for it.
 *
 * @param subject the user ({@code sub})
 * @param enterprise the user's tenant ({@code ent}); may be null for platform operators
 * @param privileges what the user may do ({@code priv})
 */
public record Caller(String subject, String enterprise, Set<Privilege> privileges) {
    public Caller {
        privileges = privileges.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(privileges));
    }

    public boolean has(Privilege privilege) {
        return privileges.contains(privilege);
    }

    public void require(Privilege privilege) {
        if (!has(privilege)) {
            throw DomainException.forbidden("This needs the privilege " + privilege + ".");
        }
    }

    public boolean belongsTo(String enterpriseId) {
        return enterprise != null && enterprise.equals(enterpriseId);
    }
}
