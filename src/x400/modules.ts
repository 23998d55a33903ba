/**
 * The X.411 (MTSAbstractService, MTAAbstractService) and X.420 (IPMSInformationObjects,
 * IPMSForwardedContentBodyPartType) structures this library reads and writes, declared once
 * with ./schema.ts. All these modules are IMPLICIT TAGS (x400-facts.md 2); tags on CHOICE and
 * open types are explicit (X.680 31.2.7), which ./schema.ts applies by itself.
 * Comments give the identifier octets expected on the wire.
 */
import { any, app, choice, ctx, f, opt, prim, seq, seqOf, set, setOf, universal, type Schema } from './schema.js';

const Printable = prim('printable');
const Numeric = prim('numeric');
const IA5 = prim('ia5');
const Teletex = prim('teletex');
const Integer = prim('integer');
const Enumerated = prim('enumerated');
const Oid = prim('oid');
const UTCTime = prim('utctime');
const Bits = prim('bits');
const Octets = prim('octets');
const Bool = prim('boolean');

// ---- X.411 names and identifiers ---------------------------------------------------------

/** CountryName ::= [APPLICATION 1] CHOICE { x121-dcc-code NumericString, iso-3166-alpha2-code PrintableString } (61) */
export const CountryName = app(1, choice(f('x121-dcc-code', Numeric), f('iso-3166-alpha2-code', Printable)));
/** AdministrationDomainName ::= [APPLICATION 2] CHOICE { numeric, printable } (62) */
export const AdministrationDomainName = app(2, choice(f('numeric', Numeric), f('printable', Printable)));
/** PrivateDomainName / PrivateDomainIdentifier ::= CHOICE { numeric NumericString, printable PrintableString } */
export const PrivateDomainName = choice(f('numeric', Numeric), f('printable', Printable));

/** PersonalName ::= SET { surname [0], given-name [1] OPT, initials [2] OPT, generation-qualifier [3] OPT } */
export const PersonalName = set(
  'PersonalName',
  f('surname', ctx(0, Printable)),
  opt('given-name', ctx(1, Printable)),
  opt('initials', ctx(2, Printable)),
  opt('generation-qualifier', ctx(3, Printable)),
);

/** BuiltInStandardAttributes ::= SEQUENCE { ... } (X.411 12.5) */
export const BuiltInStandardAttributes = seq(
  'BuiltInStandardAttributes',
  opt('country-name', CountryName),
  opt('administration-domain-name', AdministrationDomainName),
  opt('network-address', ctx(0, Numeric)),
  opt('terminal-identifier', ctx(1, Printable)),
  opt('private-domain-name', ctx(2, PrivateDomainName)), // A2 { 13 .. }
  opt('organization-name', ctx(3, Printable)),
  opt('numeric-user-identifier', ctx(4, Numeric)),
  opt('personal-name', ctx(5, PersonalName)), // A5 { 80 .. 81 .. }
  opt('organizational-unit-names', ctx(6, seqOf(Printable))),
);

/** BuiltInDomainDefinedAttribute ::= SEQUENCE { type PrintableString, value PrintableString } */
export const BuiltInDomainDefinedAttribute = seq('BuiltInDomainDefinedAttribute', f('type', Printable), f('value', Printable));

/** ORName ::= [APPLICATION 0] SEQUENCE { COMPONENTS OF ORAddress, directory-name [0] Name OPTIONAL } (60) */
export const ORName = app(
  0,
  seq(
    'ORName',
    f('built-in-standard-attributes', BuiltInStandardAttributes),
    opt('built-in-domain-defined-attributes', seqOf(BuiltInDomainDefinedAttribute)),
    opt('extension-attributes', setOf(any())), // kept raw
    opt('directory-name', ctx(0, any())), // Name is a CHOICE: explicit A0
  ),
);

/** GlobalDomainIdentifier ::= [APPLICATION 3] SEQUENCE { country-name, administration-domain-name, private-domain-identifier OPT } (63) */
export const GlobalDomainIdentifier = app(
  3,
  seq(
    'GlobalDomainIdentifier',
    f('country-name', CountryName),
    f('administration-domain-name', AdministrationDomainName),
    opt('private-domain-identifier', PrivateDomainName),
  ),
);

/** MTSIdentifier ::= [APPLICATION 4] SEQUENCE { global-domain-identifier, local-identifier IA5String } (64) */
export const MTSIdentifier = app(4, seq('MTSIdentifier', f('global-domain-identifier', GlobalDomainIdentifier), f('local-identifier', IA5)));

/** ContentType ::= CHOICE { built-in [APPLICATION 6] INTEGER (46), extended OBJECT IDENTIFIER (06, see x400-facts 1) } */
export const ContentType = choice(f('built-in', app(6, Integer)), f('extended', Oid));
/** DeliveredContentType ::= CHOICE { built-in [0] BuiltInContentType (80), extended ExtendedContentType (06) } */
export const DeliveredContentType = choice(f('built-in', ctx(0, app(6, Integer))), f('extended', Oid));

/** ExtensionField ::= SEQUENCE { type ExtensionType, criticality [1] DEFAULT {}, value [2] DEFAULT NULL } */
export const ExtensionField = seq(
  'ExtensionField',
  f('type', choice(f('standard-extension', ctx(0, Integer)), f('private-extension', ctx(3, Oid)))),
  opt('criticality', ctx(1, Bits)),
  opt('value', ctx(2, any())),
);

// ---- X.411 P1 message ------------------------------------------------------------------------

/** DomainSuppliedInformation ::= SET { arrival-time [0], routing-action [2], attempted-domain OPT, deferred-time [1] OPT, ... } */
export const DomainSuppliedInformation = set(
  'DomainSuppliedInformation',
  f('arrival-time', ctx(0, UTCTime)),
  f('routing-action', ctx(2, Enumerated)),
  opt('attempted-domain', GlobalDomainIdentifier),
  opt('deferred-time', ctx(1, UTCTime)),
  opt('converted-encoded-information-types', any('application', 5)),
  opt('other-actions', ctx(3, Bits)),
);

/** TraceInformationElement ::= SEQUENCE { global-domain-identifier, domain-supplied-information } */
export const TraceInformationElement = seq(
  'TraceInformationElement',
  f('global-domain-identifier', GlobalDomainIdentifier),
  f('domain-supplied-information', DomainSuppliedInformation),
);

/** PerRecipientMessageTransferFields ::= SET { recipient-name 60, originally-specified-recipient-number [0], per-recipient-indicators [1], ... } */
export const PerRecipientMessageTransferFields = set(
  'PerRecipientMessageTransferFields',
  f('recipient-name', ORName),
  f('originally-specified-recipient-number', ctx(0, Integer)),
  f('per-recipient-indicators', ctx(1, Bits)),
  opt('explicit-conversion', ctx(2, Integer)),
  opt('extensions', ctx(3, setOf(ExtensionField))),
);

/** MessageTransferEnvelope ::= SET { COMPONENTS OF PerMessageTransferFields, per-recipient-fields [2] SEQUENCE OF ... } */
export const MessageTransferEnvelope = set(
  'MessageTransferEnvelope',
  f('message-identifier', MTSIdentifier),
  f('originator-name', ORName),
  opt('original-encoded-information-types', any('application', 5)),
  f('content-type', ContentType),
  opt('content-identifier', app(10, Printable)),
  opt('priority', app(7, Enumerated)),
  opt('per-message-indicators', app(8, Bits)),
  opt('deferred-delivery-time', ctx(0, UTCTime)),
  opt('per-domain-bilateral-information', ctx(1, seqOf(any()))),
  f('trace-information', app(9, seqOf(TraceInformationElement))),
  opt('extensions', ctx(3, setOf(ExtensionField))),
  f('per-recipient-fields', ctx(2, seqOf(PerRecipientMessageTransferFields))), // A2 { 31 .. } (not A2 30)
);

/** Message ::= SEQUENCE { envelope MessageTransferEnvelope, content Content (OCTET STRING) } */
export const Message = seq('Message', f('envelope', MessageTransferEnvelope), f('content', Octets));

/** MTS-APDU ::= CHOICE { message [0] Message (A0), report [1] Report, probe [2] Probe } */
export const MtsApdu = choice(f('message', ctx(0, Message)), f('report', any('context', 1)), f('probe', any('context', 2)));

// ---- X.411 delivery fields used by ForwardedContentParameters ---------------------------------

/** OtherMessageDeliveryFields ::= SET { content-type, originator-name, ..., this-recipient-name [4], message-submission-time [7], ... } */
export const OtherMessageDeliveryFields = set(
  'OtherMessageDeliveryFields',
  f('content-type', DeliveredContentType),
  f('originator-name', ORName),
  opt('original-encoded-information-types', any('context', 1)),
  opt('priority', app(7, Enumerated)),
  opt('delivery-flags', ctx(2, Bits)),
  opt('other-recipient-names', ctx(3, seqOf(ORName))),
  f('this-recipient-name', ctx(4, ORName)), // A4, replaces 60
  opt('originally-intended-recipient-name', ctx(5, ORName)),
  opt('converted-encoded-information-types', any('context', 6)),
  f('message-submission-time', ctx(7, UTCTime)),
  opt('content-identifier', ctx(8, Printable)),
  opt('extensions', ctx(9, setOf(ExtensionField))),
);

/** SubmissionProof ::= SET { proof-of-submission [0], originating-MTA-certificate [1], message-submission-envelope } (X.420 1999) */
export const SubmissionProof = set(
  'SubmissionProof',
  f('proof-of-submission', any('context', 0)),
  f('originating-MTA-certificate', any('context', 1)),
  f('message-submission-envelope', any('universal', 17)),
);

/** ForwardedContentParameters ::= SET { delivery-time [0], delivery-envelope [1], mts-identifier [2], submission-proof [3] } all OPTIONAL */
export const ForwardedContentParameters = set(
  'ForwardedContentParameters',
  opt('delivery-time', ctx(0, UTCTime)),
  opt('delivery-envelope', ctx(1, OtherMessageDeliveryFields)),
  opt('mts-identifier', ctx(2, MTSIdentifier)), // A2 { 63 .. 16 .. }
  opt('submission-proof', ctx(3, SubmissionProof)), // X.420 (1999), not in the draft
);

// ---- X.420 IPM -------------------------------------------------------------------------------

/** ORDescriptor ::= SET { formal-name ORName OPT, free-form-name [0] TeletexString OPT, telephone-number [1] OPT } */
export const ORDescriptor = set(
  'ORDescriptor',
  opt('formal-name', ORName),
  opt('free-form-name', ctx(0, Teletex)),
  opt('telephone-number', ctx(1, Printable)),
);

/** RecipientSpecifier ::= SET { recipient [0] ORDescriptor, notification-requests [1], reply-requested [2], recipient-extensions [3] } */
export const RecipientSpecifier = set(
  'RecipientSpecifier',
  f('recipient', ctx(0, ORDescriptor)),
  opt('notification-requests', ctx(1, Bits)),
  opt('reply-requested', ctx(2, Bool)),
  opt('recipient-extensions', ctx(3, setOf(any()))),
);

/** IPMIdentifier ::= [APPLICATION 11] SET { user ORName OPT, user-relative-identifier PrintableString } (6B) */
export const IPMIdentifier = app(11, set('IPMIdentifier', opt('user', ORName), f('user-relative-identifier', Printable)));

/** Heading ::= SET { this-IPM, originator [0], ..., primary-recipients [2], copy-recipients [3], blind-copy-recipients [4], subject [8] EXPLICIT, ... } */
export const Heading = set(
  'Heading',
  f('this-IPM', IPMIdentifier),
  opt('originator', ctx(0, ORDescriptor)),
  opt('primary-recipients', ctx(2, seqOf(RecipientSpecifier))),
  opt('copy-recipients', ctx(3, seqOf(RecipientSpecifier))),
  opt('blind-copy-recipients', ctx(4, seqOf(RecipientSpecifier))),
  opt('subject', ctx(8, Teletex, 'explicit')), // A8 { 14 .. } (x400-facts 2)
  // authorizing-users [1], replied-to-IPM [5], obsoleted [6], related [7], expiry [9] .. extensions [15]: kept raw as $unknown
);

/** INSTANCE OF TYPE-IDENTIFIER ::= [UNIVERSAL 8] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT } (X.681 C.7) */
const InstanceOfBody = seq('INSTANCE OF', f('type-id', Oid), f('value', ctx(0, any())));
export const InstanceOf = universal(8, InstanceOfBody); // 28

/** ExtendedBodyPart ::= SEQUENCE { parameters [0] INSTANCE OF OPT (A0), data INSTANCE OF (28) } */
export const ExtendedBodyPart = seq('ExtendedBodyPart', opt('parameters', ctx(0, InstanceOf)), f('data', InstanceOf));

/** IA5TextBodyPart ::= SEQUENCE { parameters SET { repertoire [0] DEFAULT ia5 }, data IA5String } */
export const IA5TextBodyPart = seq('IA5TextBodyPart', f('parameters', set('IA5TextParameters', opt('repertoire', ctx(0, Integer)))), f('data', IA5));

/** MessageBodyPart ::= SEQUENCE { parameters SET { delivery-time [0] OPT, delivery-envelope [1] OPT }, data IPM } (data kept raw, decoded recursively) */
export const MessageBodyPart = seq(
  'MessageBodyPart',
  f('parameters', set('MessageParameters', opt('delivery-time', ctx(0, UTCTime)), opt('delivery-envelope', ctx(1, OtherMessageDeliveryFields)))),
  f('data', any('universal', 16)),
);

/** BodyPart ::= CHOICE { basic CHOICE { ia5-text [0], ..., message [9], ... }, extended [15] ExtendedBodyPart } */
export const BodyPart = choice(
  f('ia5-text', ctx(0, IA5TextBodyPart)),
  f('message', ctx(9, MessageBodyPart)),
  f('extended', ctx(15, ExtendedBodyPart)), // AF
  f('other', any()), // g3-facsimile [3], teletex [5], ...: kept raw and reported
);

/** IPM ::= SEQUENCE { heading Heading, body Body } */
export const IPM = seq('IPM', f('heading', Heading), f('body', seqOf(BodyPart)));

/** InformationObject ::= CHOICE { ipm [0] IPM (A0), ipn [1] IPN (A1) } */
export const InformationObject = choice(f('ipm', ctx(0, IPM)), f('ipn', any('context', 1)));

// ---- RFC 5652 -------------------------------------------------------------------------------

/** ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL } */
export const ContentInfo: Schema = seq('ContentInfo', f('contentType', Oid), opt('content', ctx(0, any())));
