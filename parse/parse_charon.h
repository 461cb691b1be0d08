/*
 * parse_charon.h — strongSwan charon log lines → struct charon_event.
 *
 * Input is the syslog message body of one charon line as the header parser
 * leaves it (docs/log-formats.md#charon-framing):
 *
 *     16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1
 *     12[IKE1] <PEER|1> received AUTHENTICATION_FAILED notify error
 *     05[IKE] <5> ...                     (uid only, before a peer config)
 *     tried 1 shared key for ...          (charon-systemd / journal: bare text)
 *     IKE 08     : sending DPD request    (vendor-reformatted)
 *
 * and, when no syslog header was found, the same behind a program tag:
 * "charon: ", "charon[123]: ", "charon " (pfSense, only before NN[GRP]),
 * "charon-systemd[1]: ", "charon  [ 1679]: ".
 *
 * Design: one pass reads the framing (program tag, "NN[GRP]" with optional
 * level digit, optional " <conn|uid>"), then the first word of the text
 * selects a handful of candidate formats (switch on its first byte, then
 * length/memcmp); no pattern list is tried in turn.  Every format string of
 * docs/log-formats.md#charon-kinds is recognised in both its strongSwan 5.x
 * and 6.x wording.
 * Anything else, including truncated lines and numbers that overflow
 * uint32, is kept as CHARON_OTHER: well-formed framing is never an error.
 *
 * The parser is a pure function: no I/O, no allocation, no globals (only
 * const tables), and it never reads past buf + len (NUL termination is not
 * required; NUL bytes are ordinary data).  Output strings are fixed-size,
 * NUL-terminated and truncated on a UTF-8 character boundary.
 */
#ifndef TW_PARSE_CHARON_H
#define TW_PARSE_CHARON_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

/*
 * Event kinds.  The names returned by charon_kind_name() are stored in the
 * database: they are a public contract.  Never renumber-by-name or rename;
 * add new kinds before CHARON_KIND_MAX only.
 *
 *  kind                              name                          strongSwan text (5.x | 6.x)
 *  --------------------------------  ----------------------------  ------------------------------------------
 *  CHARON_OTHER                      charon_other                  anything not below
 *  CHARON_IKE_INITIATE               ike_initiate                  initiating [Main Mode |Aggressive Mode ]IKE_SA n[u] to H
 *  CHARON_IKE_INITIATE_RESPONDER     ike_initiate_responder        H is initiating an IKE_SA | H is initiating IKE_SA n[u]
 *  CHARON_IKE_ESTABLISHED            ike_established               IKE_SA n[u] established between H[Y]...H[Y]
 *  CHARON_CHILD_ESTABLISHED          child_established             [inbound |outbound ]CHILD_SA n{u} established with SPIs ...
 *  CHARON_IKE_REKEYED                ike_rekeyed                   IKE_SA n[u] rekeyed between H[Y]...H[Y]
 *  CHARON_CHILD_REKEYED              child_rekeyed                 rekeyed CHILD_SA n{u} with SPIs .. with n{u} .. (6.x) | detected rekeying of CHILD_SA n{u} (v1)
 *  CHARON_IKE_REKEY_FAILED           ike_rekey_failed              IKE_SA rekeying failed, trying again in N seconds
 *  CHARON_CHILD_REKEY_FAILED         child_rekey_failed            CHILD_SA rekeying failed, trying again in N seconds
 *  CHARON_REKEY_SCHEDULED            rekey_scheduled               scheduling rekeying in Ns
 *  CHARON_REAUTH_SCHEDULED           reauth_scheduled              scheduling reauthentication in Ns
 *  CHARON_IKE_LIFETIME               ike_lifetime                  maximum IKE_SA lifetime Ns
 *  CHARON_REAUTH                     reauth                        reauthenticating IKE_SA n[u][ actively]
 *  CHARON_DPD_REQUEST                dpd_request                   sending DPD request | sending DPD instead of keep alive Ns after .. | checking if current path still works using DPD
 *  CHARON_DPD_TIMEOUT                dpd_timeout                   DPD check timed out, enforcing DPD action (IKEv1)
 *  CHARON_RETRANSMIT                 retransmit                    retransmit N of request with message ID M[ (tries=..)] | sending retransmit N of request message ID M, seq S (v1)
 *  CHARON_GIVE_UP                    give_up                       giving up after N retransmits|path probings|retries
 *  CHARON_PEER_NOT_RESPONDING_RETRY  peer_not_responding_retry     peer not responding, trying again (i/N)
 *  CHARON_IKE_ESTABLISH_NO_RESPONSE  ike_establish_no_response     establishing IKE_SA failed, peer not responding
 *  CHARON_IKE_REKEY_NO_RESPONSE      ike_rekey_no_response         rekeying IKE_SA failed, peer not responding
 *  CHARON_IKE_DELETE_NO_RESPONSE     ike_delete_no_response        proper IKE_SA delete failed, peer not responding
 *  CHARON_IKE_DELETE_RECEIVED        ike_delete_received           received DELETE for IKE_SA n[u]
 *  CHARON_IKE_DELETE_SENT            ike_delete_sent               sending DELETE for IKE_SA n[u]
 *  CHARON_CHILD_DELETE_RECEIVED      child_delete_received         received DELETE for [unknown ]ESP|AH CHILD_SA with SPI x
 *  CHARON_CHILD_DELETE_SENT          child_delete_sent             sending DELETE for ESP|AH CHILD_SA with SPI x
 *  CHARON_IKE_DELETING               ike_deleting                  deleting IKE_SA n[u] between H[Y]...H[Y]
 *  CHARON_IKE_DELETED                ike_deleted                   IKE_SA deleted
 *  CHARON_CHILD_CLOSING              child_closing                 closing CHILD_SA n{u} with SPIs x_i (B bytes) y_o (B bytes) and TS ..
 *  CHARON_CHILD_EXPIRED              child_expired                 closing expired CHILD_SA n{u} with SPIs x_i y_o and TS ..
 *  CHARON_CHILD_CLOSED               child_closed                  CHILD_SA closed (<= 5.9)
 *  CHARON_HALF_OPEN_TIMEOUT          half_open_timeout             deleting half open IKE_SA [n[u] ][with H ]after timeout
 *  CHARON_PROPOSALS_RECEIVED         proposals_received            received proposals: P, P, ...
 *  CHARON_PROPOSALS_CONFIGURED       proposals_configured          configured proposals: P, P, ...
 *  CHARON_PROPOSAL_SELECTED          proposal_selected             selected proposal: P
 *  CHARON_PROPOSALS_UNACCEPTABLE     proposals_unacceptable        received proposals unacceptable | inacceptable (<= 5.6)
 *  CHARON_NO_ACCEPTABLE_PROPOSAL     no_acceptable_proposal        no acceptable proposal found | no [matching ]proposal found (v1)
 *  CHARON_NOTIFY_ERROR               notify_error                  received N notify error[, destroying IKE_SA] | received N error notify (v1)
 *  CHARON_NOTIFY_NO_CHILD            notify_no_child               received N notify, no CHILD_SA built
 *  CHARON_CHILD_FAILED_KEEP_IKE      child_failed_keep_ike         failed to establish CHILD_SA, keeping IKE_SA
 *  CHARON_CHILD_FAILED_CLOSE_IKE     child_failed_close_ike        closing IKE_SA due CHILD_SA setup failure
 *  CHARON_PSK_MAC_MISMATCH           psk_mac_mismatch              tried N shared key[s] for 'Y' - 'Y', but MAC mismatched
 *  CHARON_NO_SHARED_KEY              no_shared_key                 no shared key found for 'Y' - 'Y'
 *  CHARON_NO_PEER_CONFIG             no_peer_config                no matching peer config found
 *  CHARON_AUTH_OK                    auth_ok                       authentication of 'Y' [(myself) ]with M successful
 *  CHARON_AUTH_FAILED                auth_failed                   authentication of 'Y' [(myself) ][with M ]failed
 *  CHARON_SIGNATURE_INVALID          signature_invalid             signature validation failed, looking for another key
 *  CHARON_CONSTRAINT_FAILED          constraint_failed             constraint check failed: ...
 *  CHARON_KE_UNACCEPTABLE            ke_unacceptable               key exchange method G unacceptable, requesting G | DH group G in/unacceptable, requesting G
 *  CHARON_KE_REJECTED                ke_rejected                   peer didn't accept key exchange method|DH group G, it requested G
 *  CHARON_KE_IGNORED                 ke_ignored                    ignoring KE payload|exchange, agreed on a non-PFS proposal
 *  CHARON_TS_UNACCEPTABLE            ts_unacceptable               traffic selectors R === R unacceptable | inacceptable (<= 5.6)
 *  CHARON_NO_ACCEPTABLE_TS           no_acceptable_ts              no acceptable traffic selectors found
 *  CHARON_NAT_LOCAL                  nat_local                     local host is behind NAT, sending keep alives
 *  CHARON_NAT_REMOTE                 nat_remote                    remote host is behind NAT
 *  CHARON_NAT_GONE                   nat_gone                      local|remote host is not behind NAT anymore
 *  CHARON_KEEPALIVE                  keepalive                     sending keep alive to H
 *  CHARON_PACKET_SENT                packet_sent                   sending packet: from H to H (N bytes)
 *  CHARON_PACKET_RECEIVED            packet_received               received packet: from H to H (N bytes)
 *  CHARON_MESSAGE_GENERATED          message_generated             generating EXCH request|response M [ payloads ]
 *  CHARON_MESSAGE_PARSED             message_parsed                parsed EXCH request|response M [ payloads ]
 *  CHARON_STROKE_INITIATE            stroke_initiate               received stroke: initiate 'n'
 *  CHARON_STROKE_TERMINATE           stroke_terminate              received stroke: terminate 'n'
 *  CHARON_VICI_INITIATE              vici_initiate                 vici initiate [CHILD_SA |IKE_SA ]'n'
 *  CHARON_VICI_TERMINATE             vici_terminate                vici terminate [IKE_SA |CHILD_SA ]'n'|#u ...
 *  CHARON_CHILD_RESTART              child_restart                 restarting CHILD_SA n
 *  CHARON_IKE_REINITIATE             ike_reinitiate                reinitiating IKE_SA n[u]
 *  CHARON_KERNEL_ERROR               kernel_error                  unable to add|install|update|delete|query|allocate ... (text in detail)
 *  CHARON_KERNEL_SAD_DELETE          kernel_sad_delete             Deleting SAD entry with SPI x (vEdge kernel plugin)
 *  CHARON_CHILD_ESTABLISHING         child_establishing            establishing CHILD_SA n{u}[ reqid R]
 *  CHARON_START                      charon_start                  Starting IKE charon daemon (strongSwan V, OS, ARCH) (detail "strongSwan V")
 *  CHARON_STOP                       charon_stop                   SIGTERM|SIGINT received, shutting down
 *  CHARON_DAEMON_INFO                daemon_info                   start-up chatter: loaded plugins, TUN device, capabilities, worker threads, SIGHUP
 *  CHARON_CREDENTIAL_LOADED          credential_loaded             loaded IKE shared key with id .. | loaded .. certificate .. | loading .. from ..
 *  CHARON_CONFIG_LOADED              config_loaded                 added|updated|replaced vici connection: n | received stroke: add|delete connection 'n'
 *  CHARON_VENDOR_ID                  vendor_id                     received V vendor ID | received unknown vendor ID: xx:.. | sending V vendor ID
 *  CHARON_IKE_STATE_CHANGE           ike_state_change              IKE_SA n[u] state change: A => B (level 2)
 *  CHARON_CHILD_STATE_CHANGE         child_state_change            CHILD_SA n{u} state change: A => B (level 2)
 *  CHARON_IKE_SA_CREATED             ike_sa_created                created IKE_SA n[u] (MGR level 2)
 *  CHARON_SA_MANAGER                 sa_manager                    checkout/checkin IKE_SA .. (MGR level 2)
 *  CHARON_TASK                       task                          queueing|activating|migrating T task, activating new tasks, ... (level 2)
 *  CHARON_MESSAGE_DETAIL             message_detail                payload-by-payload encoding/parsing steps (ENC level 2)
 *  CHARON_MESSAGE_FRAGMENT           message_fragment              splitting IKE message .. into N fragments | received fragment #i[ of N], ..
 *  CHARON_NOTIFY_RECEIVED            notify_received               received N notify | received N notify, will retry later
 *  CHARON_CONFIG_LOOKUP              config_lookup                 looking for peer configs matching H[Y]...H[Y] | candidate .. | found matching .. config ..
 *  CHARON_PEER_CONFIG_SELECTED       peer_config_selected          selected peer config 'n'[ unacceptable: ..] | switching to peer config 'n'
 *  CHARON_RETRANSMIT_RECEIVED        retransmit_received           received retransmit of request with ID M, retransmitting response
 *  CHARON_MESSAGE_INVALID            message_invalid               integrity check failed | message parsing failed | received message ID M, expected M, ignored | ...
 *  CHARON_NO_IKE_CONFIG              no_ike_config                 no IKE config found for H...H, sending NO_PROPOSAL_CHOSEN
 *  CHARON_REKEY_COLLISION            rekey_collision               CHILD_SA|IKE_SA rekey collision won|lost, .. | detected T collision with T
 *  CHARON_IKE_DUPLICATE              ike_duplicate                 deleting|destroying duplicate IKE_SA for peer 'Y' ..
 *  CHARON_ENDPOINT_CHANGED           endpoint_changed              local|remote endpoint changed from H to H
 *  CHARON_IKE_DESTROYED              ike_destroyed                 destroying IKE_SA in state S without notification | deleting unestablished IKE_SA
 *  CHARON_CHILD_RECREATE_SCHEDULED   child_recreate_scheduled      scheduling CHILD_SA recreate after hard expire
 *  CHARON_REKEY_REFUSED              rekey_refused                 unable to rekey, .. | peer initiated rekeying, but .. | peer didn't find the CHILD_SA we tried to rekey
 *  CHARON_CHILD_CREATE_RETRY         child_create_retry            creating CHILD_SA failed, trying again in N seconds
 *  CHARON_KERNEL_ADDRESS             kernel_address                H appeared on I | H disappeared from I | flags changed for H on I
 *  CHARON_KERNEL_INTERFACE           kernel_interface              interface I activated|deactivated|deleted
 *  CHARON_KERNEL_EXPIRE              kernel_expire                 creating rekey|delete job for CHILD_SA ESP/0xSPI/H
 *  CHARON_KERNEL_POLICY              kernel_policy                 adding|updating|deleting policy R === R DIR .. (KNL level 2)
 *  CHARON_KERNEL_ROUTE               kernel_route                  installing route: .. | using H as address to reach H/N | H is on interface I (KNL level 2)
 *  CHARON_CHILD_SA_INSTALL           child_sa_install              adding inbound|outbound ESP SA | SPI 0xS, src H dst H | registering outbound ESP SA (CHD level 2)
 *  CHARON_IKE_EXTENSION              ike_extension                 sending|received supported signature hash algorithms: .. | peer supports MOBIKE | DPD not supported by peer, disabled
 *  CHARON_AUTH_DETAIL                auth_detail                   successfully created shared key MAC[ without PPK] (level 2)
 *  CHARON_CONFIG_DUMP                config_dump                   conn n: | child n: | local: | remote: | key = value (vici_config.c level 2)
 *  CHARON_VICI_CLIENT                vici_client                   vici client N connected|disconnected|requests: R|registered for: E
 *  CHARON_LIBIPSEC                   libipsec                      allocated SPI x | adding|updating SAD entry with SPI x .. | deleted in|outbound SAD entry .. (ESP group)
 *  CHARON_CRYPTO_DETAIL              crypto_detail                 size of DH secret exponent: N bits (LIB level 2)
 *  CHARON_PROPOSAL_MATCH             proposal_match                selecting proposal: | proposal matches | no acceptable T found | protocol mismatch, skipping
 *  CHARON_INACTIVITY_DELETE          inactivity_delete             deleting IKE_SA|CHILD_SA after N seconds [of CHILD_SA ]of inactivity
 *  CHARON_SOCKET_ERROR               socket_error                  error writing to|reading socket: E | no socket found to send IPvN packet from port P
 *  CHARON_PEER_UNRESOLVED            peer_unresolved               unable to resolve NAME, initiate aborted|retrying in Ns
 *  CHARON_CERT_DETAIL                cert_detail                   received|sending end entity|issuer cert "Y" | received|sending cert request for "Y"
 */
enum charon_kind {
	CHARON_OTHER = 0,
	CHARON_IKE_INITIATE,
	CHARON_IKE_INITIATE_RESPONDER,
	CHARON_IKE_ESTABLISHED,
	CHARON_CHILD_ESTABLISHED,
	CHARON_IKE_REKEYED,
	CHARON_CHILD_REKEYED,
	CHARON_IKE_REKEY_FAILED,
	CHARON_CHILD_REKEY_FAILED,
	CHARON_REKEY_SCHEDULED,
	CHARON_REAUTH_SCHEDULED,
	CHARON_IKE_LIFETIME,
	CHARON_REAUTH,
	CHARON_DPD_REQUEST,
	CHARON_DPD_TIMEOUT,
	CHARON_RETRANSMIT,
	CHARON_GIVE_UP,
	CHARON_PEER_NOT_RESPONDING_RETRY,
	CHARON_IKE_ESTABLISH_NO_RESPONSE,
	CHARON_IKE_REKEY_NO_RESPONSE,
	CHARON_IKE_DELETE_NO_RESPONSE,
	CHARON_IKE_DELETE_RECEIVED,
	CHARON_IKE_DELETE_SENT,
	CHARON_CHILD_DELETE_RECEIVED,
	CHARON_CHILD_DELETE_SENT,
	CHARON_IKE_DELETING,
	CHARON_IKE_DELETED,
	CHARON_CHILD_CLOSING,
	CHARON_CHILD_EXPIRED,
	CHARON_CHILD_CLOSED,
	CHARON_HALF_OPEN_TIMEOUT,
	CHARON_PROPOSALS_RECEIVED,
	CHARON_PROPOSALS_CONFIGURED,
	CHARON_PROPOSAL_SELECTED,
	CHARON_PROPOSALS_UNACCEPTABLE,
	CHARON_NO_ACCEPTABLE_PROPOSAL,
	CHARON_NOTIFY_ERROR,
	CHARON_NOTIFY_NO_CHILD,
	CHARON_CHILD_FAILED_KEEP_IKE,
	CHARON_CHILD_FAILED_CLOSE_IKE,
	CHARON_PSK_MAC_MISMATCH,
	CHARON_NO_SHARED_KEY,
	CHARON_NO_PEER_CONFIG,
	CHARON_AUTH_OK,
	CHARON_AUTH_FAILED,
	CHARON_SIGNATURE_INVALID,
	CHARON_CONSTRAINT_FAILED,
	CHARON_KE_UNACCEPTABLE,
	CHARON_KE_REJECTED,
	CHARON_KE_IGNORED,
	CHARON_TS_UNACCEPTABLE,
	CHARON_NO_ACCEPTABLE_TS,
	CHARON_NAT_LOCAL,
	CHARON_NAT_REMOTE,
	CHARON_NAT_GONE,
	CHARON_KEEPALIVE,
	CHARON_PACKET_SENT,
	CHARON_PACKET_RECEIVED,
	CHARON_MESSAGE_GENERATED,
	CHARON_MESSAGE_PARSED,
	CHARON_STROKE_INITIATE,
	CHARON_STROKE_TERMINATE,
	CHARON_VICI_INITIATE,
	CHARON_VICI_TERMINATE,
	CHARON_CHILD_RESTART,
	CHARON_IKE_REINITIATE,
	CHARON_KERNEL_ERROR,
	CHARON_KERNEL_SAD_DELETE,
	CHARON_CHILD_ESTABLISHING,
	CHARON_START,
	CHARON_STOP,
	CHARON_DAEMON_INFO,
	CHARON_CREDENTIAL_LOADED,
	CHARON_CONFIG_LOADED,
	CHARON_VENDOR_ID,
	CHARON_IKE_STATE_CHANGE,
	CHARON_CHILD_STATE_CHANGE,
	CHARON_IKE_SA_CREATED,
	CHARON_SA_MANAGER,
	CHARON_TASK,
	CHARON_MESSAGE_DETAIL,
	CHARON_MESSAGE_FRAGMENT,
	CHARON_NOTIFY_RECEIVED,
	CHARON_CONFIG_LOOKUP,
	CHARON_PEER_CONFIG_SELECTED,
	CHARON_RETRANSMIT_RECEIVED,
	CHARON_MESSAGE_INVALID,
	CHARON_NO_IKE_CONFIG,
	CHARON_REKEY_COLLISION,
	CHARON_IKE_DUPLICATE,
	CHARON_ENDPOINT_CHANGED,
	CHARON_IKE_DESTROYED,
	CHARON_CHILD_RECREATE_SCHEDULED,
	CHARON_REKEY_REFUSED,
	CHARON_CHILD_CREATE_RETRY,
	CHARON_KERNEL_ADDRESS,
	CHARON_KERNEL_INTERFACE,
	CHARON_KERNEL_EXPIRE,
	CHARON_KERNEL_POLICY,
	CHARON_KERNEL_ROUTE,
	CHARON_CHILD_SA_INSTALL,
	CHARON_IKE_EXTENSION,
	CHARON_AUTH_DETAIL,
	CHARON_CONFIG_DUMP,
	CHARON_VICI_CLIENT,
	CHARON_LIBIPSEC,
	CHARON_CRYPTO_DETAIL,
	CHARON_PROPOSAL_MATCH,
	CHARON_INACTIVITY_DELETE,
	CHARON_SOCKET_ERROR,
	CHARON_PEER_UNRESOLVED,
	CHARON_CERT_DETAIL,
	CHARON_KIND_MAX
};

/* How the line was framed (useful to drop charon-systemd duplicates). */
enum charon_framing {
	CHARON_FRAME_BARE = 0,  /* text only (charon-systemd, console) */
	CHARON_FRAME_THREAD,    /* "NN[GRP] text" (sys_logger.c) */
	CHARON_FRAME_VENDOR     /* "GRP NN     : text" */
};

/* Field sizes, including the terminating NUL. */
#define CHARON_GROUP_LEN       8
#define CHARON_NAME_LEN        64   /* conn, IKE_SA and CHILD_SA names */
#define CHARON_ADDR_LEN        64   /* IPv4/IPv6 text, %any, zone */
#define CHARON_ID_LEN          128  /* identities (%Y): DNs can be long */
#define CHARON_TS_LEN          192  /* traffic selector lists (%#R) */
#define CHARON_EXCHANGE_LEN    24
#define CHARON_PAYLOADS_LEN    256
#define CHARON_NOTIFY_LEN      48
#define CHARON_KE_LEN          32
#define CHARON_METHOD_LEN      40
#define CHARON_VARIANT_LEN     24
#define CHARON_DETAIL_LEN      160
#define CHARON_PROTO_LEN       8
#define CHARON_PROPOSALS_MAX   16
#define CHARON_TRANSFORMS_MAX  12
#define CHARON_TRANSFORM_LEN   32

/* Bits of charon_event.has: which numeric fields are set.  String fields
 * are set when non-empty. */
#define CHARON_HAS_CONN_UID     (1u << 0)
#define CHARON_HAS_IKE_UID      (1u << 1)
#define CHARON_HAS_CHILD_UID    (1u << 2)
#define CHARON_HAS_NEW_CHILD_UID (1u << 3)
#define CHARON_HAS_SPIS         (1u << 4)   /* spi_in, spi_out */
#define CHARON_HAS_NEW_SPIS     (1u << 5)   /* new_spi_in, new_spi_out */
#define CHARON_HAS_SPI          (1u << 6)   /* spi (DELETE, SAD) */
#define CHARON_HAS_BYTES        (1u << 7)   /* bytes_in, bytes_out */
#define CHARON_HAS_COUNT        (1u << 8)
#define CHARON_HAS_COUNT_MAX    (1u << 9)
#define CHARON_HAS_SECONDS      (1u << 10)
#define CHARON_HAS_MSGID        (1u << 11)
#define CHARON_HAS_SEQ          (1u << 12)
#define CHARON_HAS_SIZE         (1u << 13)  /* packet size in bytes */
#define CHARON_HAS_RETX_TRIES   (1u << 14)
#define CHARON_HAS_RETX_TIMEOUT (1u << 15)
#define CHARON_HAS_RETX_EXCHANGE (1u << 16)
#define CHARON_HAS_RETX_STATE   (1u << 17)
#define CHARON_HAS_PAYLOADS     (1u << 18)  /* payloads/payload_flags valid, even if "[ ]" */
#define CHARON_HAS_PROPOSALS    (1u << 19)
#define CHARON_HAS_UNKNOWN_SA   (1u << 20)  /* "received DELETE for unknown ..." */

/* Bits of charon_event.payload_flags (message_generated/parsed). */
#define CHARON_PL_EMPTY        (1u << 0)   /* "[ ]": DPD probe or its answer */
#define CHARON_PL_NO_PROP      (1u << 1)   /* N(NO_PROP) */
#define CHARON_PL_AUTH_FAILED  (1u << 2)   /* N(AUTH_FAILED) */
#define CHARON_PL_TS_UNACCEPT  (1u << 3)   /* N(TS_UNACCEPT) */
#define CHARON_PL_INVAL_KE     (1u << 4)   /* N(INVAL_KE) */
#define CHARON_PL_DELETE       (1u << 5)   /* D */
#define CHARON_PL_KE           (1u << 6)   /* KE */
#define CHARON_PL_SA           (1u << 7)   /* SA */
#define CHARON_PL_NATD         (1u << 8)   /* N(NATD_S_IP) / N(NATD_D_IP) */
#define CHARON_PL_INIT_CONTACT (1u << 9)   /* N(INIT_CONTACT) */
#define CHARON_PL_DPD          (1u << 10)  /* N(DPD) / N(DPD_ACK) (IKEv1) */
#define CHARON_PL_AUTH         (1u << 11)  /* AUTH */
#define CHARON_PL_TS           (1u << 12)  /* TSi / TSr */
#define CHARON_PL_FRAGMENT     (1u << 13)  /* EF(...) / FRAG */
#define CHARON_PL_COUNT        14

struct charon_endpoint {
	char     addr[CHARON_ADDR_LEN];   /* "" = absent */
	char     id[CHARON_ID_LEN];       /* "" = absent */
	uint16_t port;
	uint8_t  has_port;
};

struct charon_proposal {
	char    protocol[CHARON_PROTO_LEN];  /* "IKE", "ESP", "AH" (items without "PROTO:" are skipped) */
	uint8_t ntransforms;
	uint8_t truncated;                   /* more than CHARON_TRANSFORMS_MAX */
	char    transforms[CHARON_TRANSFORMS_MAX][CHARON_TRANSFORM_LEN];
};

/*
 * One parsed line.  Which fields a kind fills is listed beside each field;
 * "local"/"remote" are always from this host's point of view (for packets:
 * sending = from local to remote, received = from remote to local).
 */
struct charon_event {
	int      kind;                 /* enum charon_kind */
	int      framing;              /* enum charon_framing */
	int      thread;               /* NN, -1 if absent */
	int      level;                /* IKE1 -> 1, -1 if absent */
	char     group[CHARON_GROUP_LEN];  /* "IKE", "ENC", ...; "" if absent */
	char     conn[CHARON_NAME_LEN];    /* <conn|uid>; "" if absent */
	uint32_t conn_uid;             /* CHARON_HAS_CONN_UID */
	struct span text;              /* message text inside buf (trimmed) */
	uint32_t has;                  /* CHARON_HAS_* */

	/* IKE_SA name[uid]: initiate, established, rekeyed, deleting, DELETE
	 * for IKE_SA, reauth, reinitiate, half-open (6.x), vici/stroke IKE_SA */
	char     ike_name[CHARON_NAME_LEN];
	uint32_t ike_uid;
	/* CHILD_SA name{uid}: child_established, closing, expired, rekeyed
	 * (old SA), restart, vici/stroke targets */
	char     child_name[CHARON_NAME_LEN];
	uint32_t child_uid;
	/* child_rekeyed (6.x): the new CHILD_SA */
	char     new_child_name[CHARON_NAME_LEN];
	uint32_t new_child_uid;

	struct charon_endpoint local;  /* addr/id: between, packets, auth (myself), PSK */
	struct charon_endpoint remote; /* peer: initiate, responder, between, packets, keepalive, half-open */

	uint32_t spi_in, spi_out;           /* CHARON_HAS_SPIS */
	uint32_t new_spi_in, new_spi_out;   /* CHARON_HAS_NEW_SPIS (child_rekeyed) */
	uint32_t spi;                       /* CHARON_HAS_SPI (child DELETE, SAD) */
	char     protocol[CHARON_PROTO_LEN];/* "ESP"/"AH" (child DELETE) */
	uint64_t bytes_in, bytes_out;       /* CHARON_HAS_BYTES (child_closing) */
	char     ts_local[CHARON_TS_LEN];   /* first %#R as logged */
	char     ts_remote[CHARON_TS_LEN];  /* second %#R as logged */

	uint32_t count;       /* retransmit n, give_up n, keys tried, retry i */
	uint32_t count_max;   /* retry N of (i/N) */
	uint32_t seconds;     /* rekey/reauth/lifetime/retry delay, DPD idle */
	uint32_t msgid;       /* retransmit, message_* */
	uint32_t seq;         /* IKEv1 retransmit seq */
	uint32_t size;        /* packet bytes */
	uint32_t retx_tries, retx_timeout, retx_exchange, retx_state; /* vEdge */

	char     exchange[CHARON_EXCHANGE_LEN]; /* IKE_SA_INIT, ... */
	int      is_response;  /* 1 response, 0 request, -1 unknown */
	char     payloads[CHARON_PAYLOADS_LEN]; /* text inside "[ ... ]" */
	uint32_t payload_flags;                 /* CHARON_PL_* */

	char     notify[CHARON_NOTIFY_LEN];     /* NO_PROPOSAL_CHOSEN, ... */
	char     ke_offered[CHARON_KE_LEN];     /* ke_unacceptable: received; ke_rejected: ours */
	char     ke_requested[CHARON_KE_LEN];   /* the group asked for instead */
	char     auth_method[CHARON_METHOD_LEN];/* auth_ok/auth_failed "with %N" */
	char     variant[CHARON_VARIANT_LEN];   /* per-kind wording, see charon_parse() */
	char     detail[CHARON_DETAIL_LEN];     /* constraint/kernel error text */

	uint8_t  nproposals;
	uint8_t  proposals_truncated;           /* more than CHARON_PROPOSALS_MAX */
	struct charon_proposal proposals[CHARON_PROPOSALS_MAX];
};

/*
 * Parses one charon line.  buf need not be NUL-terminated and is not kept;
 * out->text is an offset into it.  Every field of out is reset (proposals[]
 * beyond nproposals excepted); numbers are meaningful only with their
 * CHARON_HAS_* bit, strings when non-empty.  A line that matches no known
 * format keeps only its framing fields.  The `variant` field distinguishes
 * wordings of one kind:
 *   ike_initiate[_responder]: "main_mode", "aggressive_mode" (IKEv1)
 *   child_established: "inbound", "outbound"
 *   child_rekeyed: "ikev1" (detected rekeying)
 *   reauth: "actively"
 *   dpd_request: "instead_of_keepalive" (seconds set), "path_check"
 *   retransmit: "ikev1"
 *   give_up: "retransmits", "path_probings", "retries"
 *   no_acceptable_proposal: "ikev1" (no proposal found), "ikev1_matching"
 *   notify_error: "destroying_ike_sa", "ikev1"
 *   auth_ok / auth_failed: "myself" (local identity) or "" (peer's)
 *   ke_unacceptable / ke_rejected: "dh_group" (<= 5.9) or "ke_method" (6.x)
 *   ke_ignored: "payload" (6.x) or "exchange" (<= 5.9)
 *   proposals_unacceptable / ts_unacceptable: "inacceptable" (<= 5.6)
 *   nat_gone: "local" / "remote"
 *   vici_* / stroke_*: "ike_sa", "child_sa" when the target type is named
 *   the kinds after kernel_sad_delete (strongSwan 5.9 levels 1 and 2): see
 *   docs/log-formats.md#charon-kinds
 * Returns 0 (kind set, CHARON_OTHER when nothing known matched) or -1 when
 * len is 0 or buf/out is NULL.
 */
int charon_parse(const char *buf, size_t len, struct charon_event *out);

/* Stable snake_case name of a kind (see the table above), NULL if out of
 * range.  The string is static. */
const char *charon_kind_name(int kind);

/* Inverse of charon_kind_name(): the kind, or -1 if the name is unknown. */
int charon_kind_from_name(const char *name);

/* 1 if transform t (NUL-terminated, e.g. "MODP_2048", "KE1_ML_KEM_768",
 * "ECP_256_BP", "CURVE_25519") is a key-exchange method, else 0.
 * "MODP_NONE"/"KEn_NONE" are not. */
int charon_transform_is_ke(const char *t);

/* IANA IKEv2 transform type 4 number of a key-exchange transform name
 * (MODP_2048 -> 14, ECP_256 -> 19, CURVE_25519 -> 31, ...; a "KEn_" prefix
 * is ignored), or -1 when unknown. */
int charon_ke_group_number(const char *t);

/* Name of CHARON_PL_* bit number i (0 <= i < CHARON_PL_COUNT), e.g.
 * "no_prop"; NULL if out of range.  Used for JSON and reports. */
const char *charon_payload_flag_name(int bit);

struct json_t;
/* Adds the set fields of ev to the jansson object obj (charon_json.c).
 * Returns 0, or -1 on allocation failure or bad arguments.  Strings that are
 * not valid UTF-8 are added with bad bytes replaced by U+FFFD. */
int charon_event_to_json(const struct charon_event *ev, struct json_t *obj);

#endif
