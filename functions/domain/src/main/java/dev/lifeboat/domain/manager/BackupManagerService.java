package dev.lifeboat.domain.manager;

import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_ALLOW_BACKUP_CONFIG;
import static dev.lifeboat.domain.identity.Privilege.PHYS_DC_RETRIEVE_DETAILS;

import dev.lifeboat.domain.common.DatacenterUsage;
import dev.lifeboat.domain.common.ExpectedVersion;
import dev.lifeboat.domain.common.Retry;
import dev.lifeboat.domain.common.Saved;
import dev.lifeboat.domain.common.StoreConflict;
import dev.lifeboat.domain.common.Text;
import dev.lifeboat.domain.error.DomainException;
import dev.lifeboat.domain.error.Problem;
import dev.lifeboat.domain.error.Violations;
import dev.lifeboat.domain.identity.Caller;
import dev.lifeboat.domain.secret.Secret;
import dev.lifeboat.domain.secret.SecretRef;
import dev.lifeboat.domain.secret.SecretStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The backup manager of a datacenter: one per datacenter, its password kept in the secret store. */
public final class BackupManagerService {
    public static final int MAX_ENDPOINT = 2048;
    public static final int MAX_USER = 256;
    public static final int MAX_PASSWORD = 1024;

    private final ManagerRepository managers;
    private final SecretStore secrets;
    private final ConnectionChecker checker;
    private final Clock clock;
    private final Supplier<String> ids;
    private final String separator;
    private final String secretPrefix;

    /**
     * @param separator joins the backup-system and vCenter parts of NETWORKER and VEEAM_SNAPSHOT credentials
     * @param secretPrefix the secret store name prefix, e.g. {@code lifeboat/prod}; secrets are {@code <prefix>/manager/<id>}
     */
    public BackupManagerService(ManagerRepository managers, SecretStore secrets, ConnectionChecker checker, Clock clock,
                                Supplier<String> ids, String separator, String secretPrefix) {
        if (separator == null || separator.isEmpty()) {
            throw new IllegalArgumentException("the credential separator must not be empty");
        }
        this.managers = managers;
        this.secrets = secrets;
        this.checker = checker;
        this.clock = clock;
        this.ids = ids;
        this.separator = separator;
        this.secretPrefix = secretPrefix;
    }

    public BackupManager get(Caller caller, String datacenter) {
        BackupManager manager = existing(datacenter);
        caller.require(PHYS_DC_RETRIEVE_DETAILS);
        return manager;
    }

    public Saved<BackupManager> put(Caller caller, String datacenter, Supplier<ManagerDraft> body, ExpectedVersion expected) {
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        ManagerDraft draft = body.get();
        return Retry.optimistic(expected, () -> putOnce(datacenter, draft, expected));
    }

    private Saved<BackupManager> putOnce(String datacenter, ManagerDraft draft, ExpectedVersion expected) {
        Optional<BackupManager> current = managers.findManager(datacenter);
        ManagerType type = validate(draft, current.isEmpty());
        String endpoint = normaliseEndpoint(draft.endpoint(), type);
        if (current.isPresent() && current.get().type() != type) {
            throw DomainException.conflict("The manager of datacenter " + datacenter + " is " + current.get().type()
                    + "; its type cannot change. Delete it first to connect another backup system.");
        }
        if (type == ManagerType.VEEAM && managers.findUsage(datacenter).definedHourPolicies() > 0) {
            throw definedHourConflict(datacenter);
        }
        if (current.isPresent()) {
            expected.check(current.get().version());
        } else if (!expected.isAny()) {
            throw new DomainException(Problem.PRECONDITION_FAILED, "Datacenter " + datacenter + " has no backup manager to match If-Match.");
        }

        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (current.isEmpty()) {
            String id = ids.get();
            SecretRef password = secrets.put(secretName(type, id), draft.password());
            BackupManager created = new BackupManager(datacenter, id, draft.name(), type, endpoint, draft.user(), password, 1, now, now);
            try {
                managers.createManager(created);
            } catch (StoreConflict conflict) {
                // Nothing refers to the secret just written; leave no orphan behind.
                secrets.delete(secretName(type, id));
                throw translate(conflict, datacenter, expected);
            }
            return new Saved<>(created, true);
        }
        BackupManager old = current.get();
        SecretRef password = draft.password() == null ? old.password() : secrets.put(secretName(type, old.id()), draft.password());
        BackupManager replaced = new BackupManager(datacenter, old.id(), draft.name(), type, endpoint, draft.user(), password,
                old.version() + 1, old.createdAt(), now);
        try {
            managers.replaceManager(replaced, old.version());
        } catch (StoreConflict conflict) {
            throw translate(conflict, datacenter, expected);
        }
        return new Saved<>(replaced, false);
    }

    public void delete(Caller caller, String datacenter, ExpectedVersion expected) {
        existing(datacenter);
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        Retry.optimistic(expected, () -> {
            BackupManager current = existing(datacenter);
            DatacenterUsage usage = managers.findUsage(datacenter);
            if (usage.configuredVms() > 0) {
                throw vmsConfigured(datacenter, usage.configuredVms());
            }
            expected.check(current.version());
            try {
                managers.deleteManager(datacenter, current.version());
            } catch (StoreConflict conflict) {
                throw translate(conflict, datacenter, expected);
            }
            secrets.delete(current.password().secretId());
            return null;
        });
    }

    public ConnectionCheck check(Caller caller, String datacenter) {
        BackupManager manager = existing(datacenter);
        caller.require(PHYS_DC_ALLOW_BACKUP_CONFIG);
        return checker.check(manager);
    }

    private BackupManager existing(String datacenter) {
        return managers.findManager(datacenter)
                .orElseThrow(() -> DomainException.notFound("Datacenter " + datacenter + " has no backup manager."));
    }

    /**
     * {@code <prefix>/manager/<TYPE>/<id>}: the type in the name lets each plugin's IAM policy read the secrets of its
     * own type only (a manager's type never changes, so neither does the name).
     */
    private String secretName(ManagerType type, String managerId) {
        return secretPrefix + "/manager/" + type.name() + "/" + managerId;
    }

    private ManagerType validate(ManagerDraft draft, boolean creating) {
        Violations v = new Violations();
        Text.requireText(v, "name", draft.name(), 128);
        ManagerType type = null;
        if (draft.type() == null) {
            v.add("type", "is required");
        } else {
            type = ManagerType.parse(draft.type());
            if (type == null) {
                v.add("type", "must be one of " + Arrays.stream(ManagerType.values()).map(Enum::name).collect(Collectors.joining(", ")));
            }
        }
        validateEndpoint(v, draft.endpoint());
        String user = draft.user();
        if (user == null) {
            v.add("user", "is required");
        } else if (user.isEmpty() || Text.length(user) > MAX_USER) {
            v.add("user", "must have 1 to " + MAX_USER + " characters");
        } else if (type != null && type.splitsCredentials() && !hasTwoParts(user)) {
            v.add("user", type + " needs the backup-system user and the vCenter user joined by '" + separator + "'; both parts must be non-empty");
        }
        Secret password = draft.password();
        if (password == null) {
            if (creating) {
                v.add("password", "is required when the manager is created");
            }
        } else {
            String clear = password.reveal();
            if (clear.isEmpty() || Text.length(clear) > MAX_PASSWORD) {
                v.add("password", "must have 1 to " + MAX_PASSWORD + " characters");
            } else if (type != null && type.splitsCredentials() && !hasTwoParts(clear)) {
                v.add("password", type + " needs the backup-system password and the vCenter password joined by '" + separator + "'; both parts must be non-empty");
            }
        }
        v.throwIfAny(Problem.VALIDATION_FAILED);
        return type;
    }

    /** Split at the first separator: the vCenter part may itself contain the separator, the backup-system part may not. */
    private boolean hasTwoParts(String value) {
        int at = value.indexOf(separator);
        return at > 0 && at + separator.length() < value.length();
    }

    private static void validateEndpoint(Violations v, String endpoint) {
        if (endpoint == null) {
            v.add("endpoint", "is required");
            return;
        }
        if (endpoint.isEmpty() || endpoint.length() > MAX_ENDPOINT) {
            v.add("endpoint", "must have 1 to " + MAX_ENDPOINT + " characters");
            return;
        }
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            v.add("endpoint", "is not a valid URL");
            return;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
            v.add("endpoint", "must be an absolute http or https URL with a host, e.g. https://veeam.example.com:9398/api/");
        } else if (uri.getRawUserInfo() != null) {
            v.add("endpoint", "must not carry user information; give the user in 'user'");
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            v.add("endpoint", "must not have a query or a fragment");
        }
    }

    static String normaliseEndpoint(String endpoint, ManagerType type) {
        return type.endpointEndsWithSlash() && !endpoint.endsWith("/") ? endpoint + "/" : endpoint;
    }

    private RuntimeException translate(StoreConflict conflict, String datacenter, ExpectedVersion expected) {
        return switch (conflict.reason()) {
            case DEFINED_HOUR_POLICIES_EXIST -> definedHourConflict(datacenter);
            case VMS_CONFIGURED -> vmsConfigured(datacenter, 1);
            default -> new Retry.LostRace(() -> new DomainException(Problem.PRECONDITION_FAILED,
                    "The backup manager of datacenter " + datacenter + " changed while this request ran. Read it again and retry."));
        };
    }

    private static DomainException definedHourConflict(String datacenter) {
        return DomainException.conflict("Datacenter " + datacenter + " has policies with a DEFINED_HOUR schedule, which VEEAM cannot run."
                + " Change or delete those policies first.");
    }

    private static DomainException vmsConfigured(String datacenter, long count) {
        return DomainException.conflict("VMs of datacenter " + datacenter + " have a backup configuration (" + count
                + " at least); remove it from every VM before deleting the manager.");
    }
}
