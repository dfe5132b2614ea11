// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title DatasetRegistry
/// @notice The cooperative's datasets: one ERC-721 token per dataset, holding the
///         sha-256 digest of its bytes, its lineage (parent datasets and the
///         transformation that produced it), the contributor's bond in ETH, curator
///         attestations and a status governance can end (delisting).
/// @dev Only what the chain checks is stored (digests, ids, amounts, flags); the
///      content identifiers, modality, tags and notes travel in events for the
///      indexer. The contributor of a dataset is the current holder of its token:
///      the bond, pausing and superseding go with the token. Everything
///      privileged belongs to DEFAULT_ADMIN_ROLE, held by the timelock alone;
///      curators hold CURATOR_ROLE, granted and revoked by it.
contract DatasetRegistry is ERC721, AccessControl, ReentrancyGuardTransient {
    /// @notice Role of the addresses that may attest datasets (granted by governance).
    bytes32 public constant CURATOR_ROLE = keccak256("CURATOR_ROLE");
    /// @notice Most parents one dataset may name.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Most tags one dataset may carry.
    uint256 public constant MAX_TAGS = 16;
    /// @notice Longest tag or modality, in bytes.
    uint256 public constant MAX_LABEL_LENGTH = 32;
    /// @notice Longest content identifier (CID) accepted, in bytes.
    uint256 public constant MAX_CID_LENGTH = 128;
    /// @notice Most curators with a current attestation on one dataset (bounds the
    ///         loops of contracts that pay curators from a sale).
    uint256 public constant MAX_ATTESTATIONS = 16;
    /// @notice Highest attestation score.
    uint8 public constant MAX_SCORE = 100;
    /// @notice Longest bond waiting period governance may set.
    uint64 public constant MAX_BOND_WAITING_PERIOD = 730 days;

    /// @notice Where a dataset stands. Licensable: Active and Superseded.
    enum Status {
        Active,
        Superseded,
        LicensingPaused,
        Delisted
    }

    /// @notice How a dataset was made from its parents (Source: no parents, raw data).
    enum Transformation {
        Source,
        Cleaning,
        Filtering,
        Augmentation,
        Labeling,
        Split,
        Merge,
        Normalization,
        Deduplication,
        Other
    }

    /// @notice What `register` takes (a struct keeps the call within the stack limit).
    /// @param contentDigest sha-256 of the data's bytes.
    /// @param dataCid CID of the data (what `ipfs add --cid-version=1 --raw-leaves` prints).
    /// @param cardCid CID of the dataset card (Croissant JSON-LD).
    /// @param modality What the data is (e.g. "tabular", "image"), 1..MAX_LABEL_LENGTH bytes.
    /// @param tags Up to MAX_TAGS tags of 1..MAX_LABEL_LENGTH bytes each.
    /// @param parents Parent dataset ids in strictly increasing order (no repeats), at most MAX_PARENTS.
    /// @param transformation Source when there are no parents, anything else when there are.
    /// @param transformationNoteCid CID of a note describing the transformation (may be empty).
    /// @param supersedes The caller's dataset this one is a new version of, or 0.
    struct Registration {
        bytes32 contentDigest;
        string dataCid;
        string cardCid;
        string modality;
        string[] tags;
        uint256[] parents;
        Transformation transformation;
        string transformationNoteCid;
        uint256 supersedes;
    }

    /// @notice The on-chain facts of one dataset (one storage slot besides the digest).
    struct Dataset {
        uint96 bond;
        uint40 bondUnlocksAt;
        uint64 supersededBy;
        bool delisted;
        bool paused;
        bool pausedByGovernance;
    }

    /// @notice A curator's current attestation of a dataset.
    struct Attestation {
        uint8 score;
        uint40 attestedAt;
        bytes32 noteDigest; // keccak256 of the note CID: enough to tell a change
    }

    /// @notice Where slashed bonds go (the timelock).
    address public immutable treasury;
    /// @notice Smallest bond `register` accepts, in wei.
    uint256 public minimumBond;
    /// @notice Seconds after registration before a bond can be withdrawn.
    uint64 public bondWaitingPeriod;

    uint64 private _lastId;
    uint256 private _bondsHeld;
    mapping(uint256 datasetId => bytes32) private _digests;
    mapping(uint256 datasetId => Dataset) private _datasets;
    mapping(uint256 datasetId => uint64[]) private _parents;
    mapping(uint256 datasetId => mapping(address curator => Attestation)) private _attestations;
    mapping(uint256 datasetId => address[]) private _attestors;

    /// @notice No dataset has id `datasetId`.
    error DatasetRegistryUnknownDataset(uint256 datasetId);
    /// @notice The content digest is zero.
    error DatasetRegistryEmptyDigest();
    /// @notice A CID is empty (or longer than MAX_CID_LENGTH bytes); `field` names it.
    error DatasetRegistryInvalidCid(string field);
    /// @notice The modality is empty or longer than MAX_LABEL_LENGTH bytes.
    error DatasetRegistryInvalidModality();
    /// @notice More than `max` tags were given.
    error DatasetRegistryTooManyTags(uint256 count, uint256 max);
    /// @notice The tag at `index` is empty or longer than MAX_LABEL_LENGTH bytes.
    error DatasetRegistryInvalidTag(uint256 index);
    /// @notice More than `max` parents were given.
    error DatasetRegistryTooManyParents(uint256 count, uint256 max);
    /// @notice Parents must be given in strictly increasing order; the one at `index` is not.
    error DatasetRegistryParentsNotSorted(uint256 index);
    /// @notice Parent `datasetId` is delisted.
    error DatasetRegistryParentDelisted(uint256 datasetId);
    /// @notice A source dataset has parents, or a derived one has none.
    error DatasetRegistryTransformationMismatch(Transformation transformation, uint256 parentCount);
    /// @notice The bond sent is below the minimum.
    error DatasetRegistryBondTooLow(uint256 sent, uint256 minimum);
    /// @notice `account` is not the contributor of `datasetId`.
    error DatasetRegistryNotContributor(uint256 datasetId, address account);
    /// @notice `account` is neither the contributor of `datasetId` nor governance.
    error DatasetRegistryNotContributorOrGovernance(uint256 datasetId, address account);
    /// @notice `datasetId` is delisted: nothing can change it any more.
    error DatasetRegistryDelisted(uint256 datasetId);
    /// @notice `datasetId` already has a newer version (`supersededBy`).
    error DatasetRegistryAlreadySuperseded(uint256 datasetId, uint256 supersededBy);
    /// @notice Licensing of `datasetId` is already paused.
    error DatasetRegistryAlreadyPaused(uint256 datasetId);
    /// @notice Licensing of `datasetId` is not paused.
    error DatasetRegistryNotPaused(uint256 datasetId);
    /// @notice Governance paused `datasetId`: only governance resumes it.
    error DatasetRegistryPausedByGovernance(uint256 datasetId);
    /// @notice The score is above MAX_SCORE.
    error DatasetRegistryInvalidScore(uint256 score);
    /// @notice `curator` already attested `datasetId`: use `updateAttestation`.
    error DatasetRegistryAlreadyAttested(uint256 datasetId, address curator);
    /// @notice `curator` has no attestation of `datasetId` to update.
    error DatasetRegistryNotAttested(uint256 datasetId, address curator);
    /// @notice The update repeats the current attestation (same score and note).
    error DatasetRegistryAttestationUnchanged(uint256 datasetId, address curator);
    /// @notice `datasetId` already has MAX_ATTESTATIONS attestations.
    error DatasetRegistryTooManyAttestations(uint256 datasetId, uint256 max);
    /// @notice `datasetId` has no bond left to withdraw.
    error DatasetRegistryNoBond(uint256 datasetId);
    /// @notice The bond of `datasetId` is locked until `unlocksAt` (unix seconds).
    error DatasetRegistryBondLocked(uint256 datasetId, uint256 unlocksAt);
    /// @notice The waiting period is above MAX_BOND_WAITING_PERIOD.
    error DatasetRegistryWaitingPeriodTooLong(uint256 period, uint256 max);
    /// @notice The bond does not fit the 96 bits it is stored in.
    error DatasetRegistryBondTooHigh(uint256 sent);
    /// @notice A required address is zero.
    error DatasetRegistryZeroAddress();

    /// @notice `contributor` registered dataset `datasetId` with a bond of `bond` wei,
    ///         withdrawable from `bondUnlocksAt`; it is a new version of `supersedes` (0: none).
    event DatasetRegistered(
        uint256 indexed datasetId,
        address indexed contributor,
        uint256 indexed supersedes,
        bytes32 contentDigest,
        string dataCid,
        string cardCid,
        string modality,
        string[] tags,
        uint256 bond,
        uint64 bondUnlocksAt
    );
    /// @notice Dataset `datasetId` was made from `parents` by `transformation` (uint8 of
    ///         Transformation), described at `noteCid`. Emitted right after DatasetRegistered.
    event LineageRecorded(uint256 indexed datasetId, uint256[] parents, uint8 transformation, string noteCid);
    /// @notice `datasetId` was superseded by the newer version `supersededBy`.
    event DatasetSuperseded(uint256 indexed datasetId, uint256 indexed supersededBy);
    /// @notice Licensing of `datasetId` was paused by `by` (governance if `byGovernance`).
    event LicensingPaused(uint256 indexed datasetId, address indexed by, bool byGovernance);
    /// @notice Licensing of `datasetId` was resumed by `by`.
    event LicensingResumed(uint256 indexed datasetId, address indexed by);
    /// @notice Governance delisted `datasetId` for the reason at `reasonCid`; its remaining
    ///         bond `slashedBond` went to the treasury.
    event DatasetDelisted(uint256 indexed datasetId, string reasonCid, uint256 slashedBond);
    /// @notice The contributor withdrew the bond `amount` of `datasetId` to `to`.
    event BondWithdrawn(uint256 indexed datasetId, address indexed to, uint256 amount);
    /// @notice `curator` attested `datasetId` with `score` (0..100) and the note at `noteCid`.
    event DatasetAttested(uint256 indexed datasetId, address indexed curator, uint8 score, string noteCid);
    /// @notice `curator` replaced its attestation of `datasetId` (`previousScore` -> `score`).
    event AttestationUpdated(
        uint256 indexed datasetId,
        address indexed curator,
        uint8 previousScore,
        uint8 score,
        string noteCid
    );
    /// @notice Governance changed the minimum bond.
    event MinimumBondSet(uint256 oldMinimumBond, uint256 newMinimumBond);
    /// @notice Governance changed the bond waiting period (seconds).
    event BondWaitingPeriodSet(uint64 oldWaitingPeriod, uint64 newWaitingPeriod);

    /// @param governance The timelock: sole holder of DEFAULT_ADMIN_ROLE (and so of every
    ///        setter, delisting and the curator role's administration).
    /// @param treasury_ Receives slashed bonds (the timelock).
    /// @param minimumBond_ Initial minimum bond in wei.
    /// @param bondWaitingPeriod_ Initial waiting period in seconds.
    constructor(address governance, address treasury_, uint256 minimumBond_, uint64 bondWaitingPeriod_)
        ERC721("Coop Dataset", "CDATA")
    {
        if (governance == address(0) || treasury_ == address(0)) revert DatasetRegistryZeroAddress();
        if (bondWaitingPeriod_ > MAX_BOND_WAITING_PERIOD) {
            revert DatasetRegistryWaitingPeriodTooLong(bondWaitingPeriod_, MAX_BOND_WAITING_PERIOD);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        treasury = treasury_;
        minimumBond = minimumBond_;
        bondWaitingPeriod = bondWaitingPeriod_;
        emit MinimumBondSet(0, minimumBond_);
        emit BondWaitingPeriodSet(0, bondWaitingPeriod_);
    }

    // ----------------------------------------------------------------- register

    /// @notice Register a dataset; `msg.value` is its bond (at least `minimumBond`).
    /// @param registration What the dataset is and where it came from (see Registration).
    /// @return datasetId The new dataset's token id (ids start at 1).
    function register(Registration calldata registration) external payable returns (uint256 datasetId) {
        if (registration.contentDigest == bytes32(0)) revert DatasetRegistryEmptyDigest();
        _checkCid(registration.dataCid, false, "dataCid");
        _checkCid(registration.cardCid, false, "cardCid");
        _checkCid(registration.transformationNoteCid, true, "transformationNoteCid");
        uint256 modalityLength = bytes(registration.modality).length;
        if (modalityLength == 0 || modalityLength > MAX_LABEL_LENGTH) revert DatasetRegistryInvalidModality();
        _checkTags(registration.tags);
        if (msg.value < minimumBond) revert DatasetRegistryBondTooLow(msg.value, minimumBond);
        if (msg.value > type(uint96).max) revert DatasetRegistryBondTooHigh(msg.value);

        datasetId = uint256(++_lastId);
        _recordParents(datasetId, registration.parents, registration.transformation);
        uint256 supersedes = registration.supersedes;
        if (supersedes != 0) _supersede(supersedes, datasetId);

        uint40 unlocksAt = uint40(block.timestamp + bondWaitingPeriod);
        _digests[datasetId] = registration.contentDigest;
        _datasets[datasetId] = Dataset({
            bond: uint96(msg.value),
            bondUnlocksAt: unlocksAt,
            supersededBy: 0,
            delisted: false,
            paused: false,
            pausedByGovernance: false
        });
        _bondsHeld += msg.value;
        _mint(msg.sender, datasetId);
        _emitRegistered(datasetId, registration, unlocksAt);
        emit LineageRecorded(
            datasetId,
            registration.parents,
            uint8(registration.transformation),
            registration.transformationNoteCid
        );
    }

    function _emitRegistered(uint256 datasetId, Registration calldata registration, uint40 unlocksAt) private {
        emit DatasetRegistered(
            datasetId,
            msg.sender,
            registration.supersedes,
            registration.contentDigest,
            registration.dataCid,
            registration.cardCid,
            registration.modality,
            registration.tags,
            msg.value,
            unlocksAt
        );
    }

    function _checkCid(string calldata cid, bool optional, string memory field) private pure {
        uint256 length = bytes(cid).length;
        if ((length == 0 && !optional) || length > MAX_CID_LENGTH) revert DatasetRegistryInvalidCid(field);
    }

    function _checkTags(string[] calldata tags) private pure {
        if (tags.length > MAX_TAGS) revert DatasetRegistryTooManyTags(tags.length, MAX_TAGS);
        for (uint256 i = 0; i < tags.length; ++i) {
            uint256 length = bytes(tags[i]).length;
            if (length == 0 || length > MAX_LABEL_LENGTH) revert DatasetRegistryInvalidTag(i);
        }
    }

    /// @dev Parents must exist already (ids below the new one): lineage stays acyclic.
    function _recordParents(uint256 datasetId, uint256[] calldata parents, Transformation transformation) private {
        uint256 count = parents.length;
        if (count > MAX_PARENTS) revert DatasetRegistryTooManyParents(count, MAX_PARENTS);
        if ((transformation == Transformation.Source) != (count == 0)) {
            revert DatasetRegistryTransformationMismatch(transformation, count);
        }
        uint64[] storage stored = _parents[datasetId];
        uint256 previous = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 parent = parents[i];
            if (parent <= previous) revert DatasetRegistryParentsNotSorted(i);
            if (parent >= datasetId) revert DatasetRegistryUnknownDataset(parent);
            if (_datasets[parent].delisted) revert DatasetRegistryParentDelisted(parent);
            stored.push(uint64(parent));
            previous = parent;
        }
    }

    function _supersede(uint256 oldId, uint256 newId) private {
        _requireDataset(oldId);
        if (_ownerOf(oldId) != msg.sender) revert DatasetRegistryNotContributor(oldId, msg.sender);
        Dataset storage old = _datasets[oldId];
        if (old.delisted) revert DatasetRegistryDelisted(oldId);
        if (old.supersededBy != 0) revert DatasetRegistryAlreadySuperseded(oldId, old.supersededBy);
        old.supersededBy = uint64(newId);
        emit DatasetSuperseded(oldId, newId);
    }

    // ------------------------------------------------------------------- status

    /// @notice Pause licensing of `datasetId`. Its contributor or governance.
    /// @param datasetId The dataset.
    function pauseLicensing(uint256 datasetId) external {
        Dataset storage dataset = _changeable(datasetId);
        bool byGovernance = _authorizeContributorOrGovernance(datasetId);
        if (dataset.paused) revert DatasetRegistryAlreadyPaused(datasetId);
        dataset.paused = true;
        dataset.pausedByGovernance = byGovernance;
        emit LicensingPaused(datasetId, msg.sender, byGovernance);
    }

    /// @notice Resume licensing of `datasetId`. Its contributor or governance; a pause by
    ///         governance is lifted only by governance.
    /// @param datasetId The dataset.
    function resumeLicensing(uint256 datasetId) external {
        Dataset storage dataset = _changeable(datasetId);
        bool byGovernance = _authorizeContributorOrGovernance(datasetId);
        if (!dataset.paused) revert DatasetRegistryNotPaused(datasetId);
        if (dataset.pausedByGovernance && !byGovernance) revert DatasetRegistryPausedByGovernance(datasetId);
        dataset.paused = false;
        dataset.pausedByGovernance = false;
        emit LicensingResumed(datasetId, msg.sender);
    }

    /// @notice Delist `datasetId` for good; its remaining bond goes to the treasury.
    ///         Only governance.
    /// @param datasetId The dataset.
    /// @param reasonCid CID of the document giving the reason.
    function delist(uint256 datasetId, string calldata reasonCid) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Dataset storage dataset = _changeable(datasetId);
        _checkCid(reasonCid, false, "reasonCid");
        uint256 slashed = dataset.bond;
        dataset.delisted = true;
        dataset.bond = 0;
        _bondsHeld -= slashed;
        emit DatasetDelisted(datasetId, reasonCid, slashed);
        if (slashed != 0) Address.sendValue(payable(treasury), slashed);
    }

    /// @notice Withdraw the bond of `datasetId` to the caller, its contributor, once the
    ///         waiting period has passed. Never from a delisted dataset.
    /// @param datasetId The dataset.
    function withdrawBond(uint256 datasetId) external nonReentrant {
        Dataset storage dataset = _changeable(datasetId);
        if (_ownerOf(datasetId) != msg.sender) revert DatasetRegistryNotContributor(datasetId, msg.sender);
        uint256 amount = dataset.bond;
        if (amount == 0) revert DatasetRegistryNoBond(datasetId);
        if (block.timestamp < dataset.bondUnlocksAt) {
            revert DatasetRegistryBondLocked(datasetId, dataset.bondUnlocksAt);
        }
        dataset.bond = 0;
        _bondsHeld -= amount;
        emit BondWithdrawn(datasetId, msg.sender, amount);
        // Pull payment to the caller alone: a receiver that reverts only fails its own call.
        Address.sendValue(payable(msg.sender), amount);
    }

    // ------------------------------------------------------------- attestations

    /// @notice Attest `datasetId` for the first time. Only curators. A second attestation
    ///         by the same curator is refused: change it with `updateAttestation`.
    /// @param datasetId The dataset.
    /// @param score Quality score, 0..MAX_SCORE.
    /// @param noteCid CID of the curator's note (may be empty).
    function attest(uint256 datasetId, uint8 score, string calldata noteCid) external onlyRole(CURATOR_ROLE) {
        _changeable(datasetId);
        _checkScoreAndNote(score, noteCid);
        Attestation storage attestation = _attestations[datasetId][msg.sender];
        if (attestation.attestedAt != 0) revert DatasetRegistryAlreadyAttested(datasetId, msg.sender);
        address[] storage attestors = _attestors[datasetId];
        if (attestors.length >= MAX_ATTESTATIONS) revert DatasetRegistryTooManyAttestations(datasetId, MAX_ATTESTATIONS);
        attestors.push(msg.sender);
        attestation.score = score;
        attestation.attestedAt = uint40(block.timestamp);
        attestation.noteDigest = keccak256(bytes(noteCid));
        emit DatasetAttested(datasetId, msg.sender, score, noteCid);
    }

    /// @notice Replace the caller's attestation of `datasetId`. Only curators; refused when
    ///         neither the score nor the note changes.
    /// @param datasetId The dataset.
    /// @param score Quality score, 0..MAX_SCORE.
    /// @param noteCid CID of the curator's note (may be empty).
    function updateAttestation(uint256 datasetId, uint8 score, string calldata noteCid)
        external
        onlyRole(CURATOR_ROLE)
    {
        _changeable(datasetId);
        _checkScoreAndNote(score, noteCid);
        Attestation storage attestation = _attestations[datasetId][msg.sender];
        if (attestation.attestedAt == 0) revert DatasetRegistryNotAttested(datasetId, msg.sender);
        bytes32 noteDigest = keccak256(bytes(noteCid));
        uint8 previousScore = attestation.score;
        if (previousScore == score && attestation.noteDigest == noteDigest) {
            revert DatasetRegistryAttestationUnchanged(datasetId, msg.sender);
        }
        attestation.score = score;
        attestation.attestedAt = uint40(block.timestamp);
        attestation.noteDigest = noteDigest;
        emit AttestationUpdated(datasetId, msg.sender, previousScore, score, noteCid);
    }

    function _checkScoreAndNote(uint8 score, string calldata noteCid) private pure {
        if (score > MAX_SCORE) revert DatasetRegistryInvalidScore(score);
        _checkCid(noteCid, true, "noteCid");
    }

    // --------------------------------------------------------------- governance

    /// @notice Set the minimum bond of future registrations (wei). Only governance.
    /// @param newMinimumBond The new minimum.
    function setMinimumBond(uint256 newMinimumBond) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 old = minimumBond;
        minimumBond = newMinimumBond;
        emit MinimumBondSet(old, newMinimumBond);
    }

    /// @notice Set the waiting period of future registrations' bonds (seconds; bonds
    ///         already posted keep the unlock time they were registered with). Only governance.
    /// @param newWaitingPeriod The new period, at most MAX_BOND_WAITING_PERIOD.
    function setBondWaitingPeriod(uint64 newWaitingPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newWaitingPeriod > MAX_BOND_WAITING_PERIOD) {
            revert DatasetRegistryWaitingPeriodTooLong(newWaitingPeriod, MAX_BOND_WAITING_PERIOD);
        }
        uint64 old = bondWaitingPeriod;
        bondWaitingPeriod = newWaitingPeriod;
        emit BondWaitingPeriodSet(old, newWaitingPeriod);
    }

    // -------------------------------------------------------------------- views

    /// @notice The status of `datasetId` (Delisted, then LicensingPaused, then Superseded win).
    /// @param datasetId The dataset.
    function statusOf(uint256 datasetId) public view returns (Status) {
        _requireDataset(datasetId);
        Dataset storage dataset = _datasets[datasetId];
        if (dataset.delisted) return Status.Delisted;
        if (dataset.paused) return Status.LicensingPaused;
        if (dataset.supersededBy != 0) return Status.Superseded;
        return Status.Active;
    }

    /// @notice Whether `datasetId` may be licensed now (exists, not delisted, not paused;
    ///         superseded versions stay licensable for reproducibility).
    /// @param datasetId The dataset.
    function isLicensable(uint256 datasetId) external view returns (bool) {
        if (!_exists(datasetId)) return false;
        Dataset storage dataset = _datasets[datasetId];
        return !dataset.delisted && !dataset.paused;
    }

    /// @notice The contributor of `datasetId`: the current holder of its token.
    /// @param datasetId The dataset.
    function contributorOf(uint256 datasetId) external view returns (address) {
        return ownerOf(datasetId);
    }

    /// @notice The parent datasets of `datasetId`, in increasing order.
    /// @param datasetId The dataset.
    function parentsOf(uint256 datasetId) external view returns (uint256[] memory parents) {
        _requireDataset(datasetId);
        uint64[] storage stored = _parents[datasetId];
        parents = new uint256[](stored.length);
        for (uint256 i = 0; i < stored.length; ++i) {
            parents[i] = stored[i];
        }
    }

    /// @notice sha-256 of the bytes of `datasetId`.
    /// @param datasetId The dataset.
    function contentDigestOf(uint256 datasetId) external view returns (bytes32) {
        _requireDataset(datasetId);
        return _digests[datasetId];
    }

    /// @notice The stored facts of `datasetId` (bond, unlock time, newer version, flags).
    /// @param datasetId The dataset.
    function datasetOf(uint256 datasetId) external view returns (Dataset memory) {
        _requireDataset(datasetId);
        return _datasets[datasetId];
    }

    /// @notice The curators with a current attestation of `datasetId`, in attestation order.
    /// @param datasetId The dataset.
    function attestorsOf(uint256 datasetId) external view returns (address[] memory) {
        _requireDataset(datasetId);
        return _attestors[datasetId];
    }

    /// @notice The current attestation of `datasetId` by `curator` (attestedAt 0: none).
    /// @param datasetId The dataset.
    /// @param curator The curator.
    function attestationOf(uint256 datasetId, address curator) external view returns (Attestation memory) {
        _requireDataset(datasetId);
        return _attestations[datasetId][curator];
    }

    /// @notice How many datasets were ever registered (the highest id).
    function datasetCount() external view returns (uint256) {
        return _lastId;
    }

    /// @notice Total bonds the contract owes contributors (its ETH balance, barring gifts).
    function bondsHeld() external view returns (uint256) {
        return _bondsHeld;
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // ----------------------------------------------------------------- internal

    function _exists(uint256 datasetId) private view returns (bool) {
        return datasetId != 0 && datasetId <= _lastId;
    }

    function _requireDataset(uint256 datasetId) private view {
        if (!_exists(datasetId)) revert DatasetRegistryUnknownDataset(datasetId);
    }

    /// @dev The dataset, which must exist and not be delisted.
    function _changeable(uint256 datasetId) private view returns (Dataset storage dataset) {
        _requireDataset(datasetId);
        dataset = _datasets[datasetId];
        if (dataset.delisted) revert DatasetRegistryDelisted(datasetId);
    }

    /// @dev True when the caller acts as governance, false as the contributor; else reverts.
    function _authorizeContributorOrGovernance(uint256 datasetId) private view returns (bool byGovernance) {
        if (hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) return true;
        if (_ownerOf(datasetId) == msg.sender) return false;
        revert DatasetRegistryNotContributorOrGovernance(datasetId, msg.sender);
    }
}
