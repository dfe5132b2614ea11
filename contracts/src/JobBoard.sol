// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {DataLicensing} from "./DataLicensing.sol";

/// @title JobBoard
/// @notice Training jobs: a poster escrows a bounty (ETH or an allowed ERC20) for a job on
///         licensed datasets; providers bid with an ETH stake; the poster accepts one bid;
///         the provider submits a result; anyone may challenge it with an ETH bond during
///         the challenge window; an arbiter (or, once the challenge escalates, governance)
///         resolves; a finalized job pays the provider and records its model.
/// @dev Stakes and challenge bonds are always in ETH, whatever the bounty's asset: a
///      provider's skin in the game does not depend on the poster's choice of token.
///      Every payout is a credit withdrawn by its owner (`withdraw`), so for each asset the
///      contract holds exactly escrowed bounties + stakes + bonds + credits
///      (`accountedBalance`). CIDs travel in events; only their keccak256 digests are
///      stored (the spec's, the result's checkpoint and metrics: the model's record), which
///      is enough to tell which CID a job names and costs one slot each, whatever the CID's
///      length. Everything privileged
///      belongs to DEFAULT_ADMIN_ROLE, held by the timelock alone, which also grants
///      ARBITER_ROLE.
contract JobBoard is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Role of the addresses that resolve challenges (granted by governance only).
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice The asset address of ETH.
    address public constant ETH = address(0);
    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Most datasets one job may train on.
    uint256 public constant MAX_DATASETS = 16;
    /// @notice Longest CID accepted, in bytes.
    uint256 public constant MAX_CID_LENGTH = 128;
    /// @notice Furthest a delivery deadline may lie in the future.
    uint256 public constant MAX_JOB_DURATION = 365 days;
    /// @notice Longest challenge window a job may have.
    uint256 public constant MAX_CHALLENGE_WINDOW = 30 days;
    /// @notice Longest escalation period governance may set.
    uint256 public constant MAX_ESCALATION_PERIOD = 90 days;

    /// @notice Where a job stands.
    enum Status {
        Open, // taking bids
        InProgress, // a bid accepted, waiting for the result
        InReview, // result submitted, challenge window running
        Challenged, // a challenge waits for resolution
        Completed, // finalized: provider paid, model recorded
        Failed, // provider slashed (challenge lost or delivery missed), bounty refunded
        Cancelled // cancelled by the poster before acceptance, bounty refunded
    }

    /// @notice Why an account was credited (PayoutCredited.reason).
    enum CreditReason {
        Payment, // the provider's price
        BountyRefund, // the part of the bounty that goes back to the poster
        StakeReturned, // a stake back to its provider
        BondReturned, // a challenge bond back to its challenger
        ChallengeBond, // a losing challenger's bond to the provider
        ChallengeReward, // the challenger's share of a slashed stake
        Slash // the treasury's share of a slashed stake
    }

    /// @notice What `postJob` takes (a struct keeps the call within the stack limit).
    /// @param specCid CID of the spec (task, model, recipe, evaluation, target score, tolerance).
    /// @param datasetIds Datasets trained on, strictly increasing, 1..MAX_DATASETS of them.
    /// @param purpose The purpose the provider's access passes must cover.
    /// @param asset The bounty's asset: ETH (address(0)) or an allowed ERC20.
    /// @param bounty The bounty escrowed (ETH: sent as msg.value; ERC20: approve first).
    /// @param biddingDeadline Last second bids are placed and accepted.
    /// @param deliveryDeadline Last second a result may be submitted (after biddingDeadline).
    /// @param minimumStake Smallest ETH stake a bid must carry (> 0).
    /// @param challengeWindow Seconds after submission during which the result may be challenged.
    struct JobTerms {
        string specCid;
        uint256[] datasetIds;
        DataLicensing.Purpose purpose;
        address asset;
        uint256 bounty;
        uint64 biddingDeadline;
        uint64 deliveryDeadline;
        uint96 minimumStake;
        uint64 challengeWindow;
    }

    /// @notice The stored facts of one job.
    struct Job {
        address poster;
        uint40 biddingDeadline;
        uint40 deliveryDeadline; // the accepted bid's delivery time once accepted
        Status status;
        DataLicensing.Purpose purpose;
        address asset;
        uint40 challengeWindow;
        uint40 challengeEndsAt;
        address provider;
        uint96 stake; // the accepted provider's stake
        uint96 minimumStake;
        uint256 bounty;
        uint256 price;
        bytes32 specDigest; // keccak256 of the spec CID
    }

    /// @notice A provider's bid on a job (active: not withdrawn, not accepted).
    struct Bid {
        uint128 price;
        uint40 deliveryTime;
        uint96 stake;
        bool active;
    }

    /// @notice A submitted result (the CIDs themselves are in ResultSubmitted).
    struct Result {
        bytes32 checkpointDigest; // keccak256 of the checkpoint CID
        bytes32 metricsDigest; // keccak256 of the metrics CID
        uint216 claimedScore;
        uint40 submittedAt;
    }

    /// @notice The challenge of a job's result.
    struct Challenge {
        address challenger;
        uint40 escalatesAt;
        uint96 bond;
    }

    /// @notice A provider's non-transferable record.
    struct Reputation {
        uint32 jobsCompleted;
        uint32 jobsFailed;
        uint32 disputesWon;
        uint32 disputesLost;
    }

    /// @notice A model a finalized job produced.
    struct Model {
        uint64 jobId;
        address provider;
    }

    /// @notice The licensing contract whose passes a provider must hold.
    DataLicensing public immutable licensing;
    /// @notice Receives the treasury's share of slashed stakes (credited, like everyone).
    address public immutable treasury;
    /// @notice Smallest ETH bond a challenge must carry.
    uint96 public challengeBond;
    /// @notice Share of a slashed stake credited to the challenger who proved it wrong (bps).
    uint16 public challengerShareBps;
    /// @notice Seconds an unresolved challenge waits before only governance may resolve it.
    uint64 public escalationPeriod;

    uint64 private _lastJobId;
    uint64 private _lastModelId;
    mapping(address asset => bool) private _assetAllowed;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => uint64[]) private _datasets;
    mapping(uint256 jobId => mapping(address provider => Bid)) private _bids;
    mapping(uint256 jobId => uint256) private _bidCounts;
    mapping(uint256 jobId => Result) private _results;
    mapping(uint256 jobId => Challenge) private _challenges;
    mapping(uint256 jobId => uint256) private _modelOfJob;
    mapping(uint256 modelId => Model) private _models;
    mapping(address provider => Reputation) private _reputations;
    mapping(address provider => mapping(address asset => uint256)) private _earned;
    mapping(address account => mapping(address asset => uint256)) private _credits;
    /// @dev Per asset: escrowed bounties, stakes (ETH), bonds (ETH) and credits owed.
    mapping(address asset => uint256) private _accounted;

    /// @notice No job has id `jobId`.
    error JobBoardUnknownJob(uint256 jobId);
    /// @notice No model has id `modelId`.
    error JobBoardUnknownModel(uint256 modelId);
    /// @notice A CID is empty or longer than MAX_CID_LENGTH bytes; `field` names it.
    error JobBoardInvalidCid(string field);
    /// @notice A job must name 1..`max` datasets; `count` were given.
    error JobBoardInvalidDatasetCount(uint256 count, uint256 max);
    /// @notice Dataset ids must be strictly increasing; the one at `index` is not.
    error JobBoardDatasetsNotSorted(uint256 index);
    /// @notice Dataset `datasetId` is not registered.
    error JobBoardUnknownDataset(uint256 datasetId);
    /// @notice `asset` is not allowed for bounties.
    error JobBoardAssetNotAllowed(address asset);
    /// @notice The bounty is zero.
    error JobBoardZeroBounty();
    /// @notice The ETH sent (`sent`) is not what the call requires (`expected`).
    error JobBoardWrongValue(uint256 sent, uint256 expected);
    /// @notice The poster allows this contract `allowance` of the token, below the bounty.
    error JobBoardInsufficientAllowance(uint256 allowance, uint256 bounty);
    /// @notice The poster holds `balance` of the token, below the bounty.
    error JobBoardInsufficientBalance(uint256 balance, uint256 bounty);
    /// @notice The token delivered `received` instead of `expected` (fee-on-transfer tokens are refused).
    error JobBoardShortTransfer(uint256 received, uint256 expected);
    /// @notice The deadlines are in the past, out of order or too far ahead.
    error JobBoardInvalidDeadlines(uint256 biddingDeadline, uint256 deliveryDeadline);
    /// @notice The challenge window is zero or above MAX_CHALLENGE_WINDOW.
    error JobBoardInvalidChallengeWindow(uint256 window);
    /// @notice The minimum stake is zero.
    error JobBoardZeroMinimumStake();
    /// @notice `jobId` is `status`, which this action does not accept.
    error JobBoardWrongStatus(uint256 jobId, Status status);
    /// @notice `account` is not the poster of `jobId`.
    error JobBoardNotPoster(uint256 jobId, address account);
    /// @notice `account` is not the accepted provider of `jobId`.
    error JobBoardNotProvider(uint256 jobId, address account);
    /// @notice Bidding on `jobId` closed at `deadline`.
    error JobBoardBiddingClosed(uint256 jobId, uint256 deadline);
    /// @notice Bidding on `jobId` is still open until `deadline`.
    error JobBoardBiddingOpen(uint256 jobId, uint256 deadline);
    /// @notice The price `price` is zero or above the bounty `bounty`.
    error JobBoardInvalidPrice(uint256 price, uint256 bounty);
    /// @notice The delivery time is past or after the job's delivery deadline.
    error JobBoardInvalidDeliveryTime(uint256 deliveryTime, uint256 deliveryDeadline);
    /// @notice The stake `stake` is below the job's minimum `minimum`.
    error JobBoardStakeTooLow(uint256 stake, uint256 minimum);
    /// @notice An amount does not fit the bits it is stored in.
    error JobBoardAmountTooHigh(uint256 amount);
    /// @notice `provider` already has an active bid on `jobId`.
    error JobBoardAlreadyBid(uint256 jobId, address provider);
    /// @notice `provider` has no active bid on `jobId`.
    error JobBoardNoBid(uint256 jobId, address provider);
    /// @notice `provider` holds no valid pass to `datasetId` for the job's purpose.
    error JobBoardMissingAccess(address provider, uint256 datasetId, DataLicensing.Purpose purpose);
    /// @notice The delivery deadline of `jobId` passed at `deadline`.
    error JobBoardDeliveryClosed(uint256 jobId, uint256 deadline);
    /// @notice The delivery deadline of `jobId` (`deadline`) has not passed yet.
    error JobBoardDeliveryOpen(uint256 jobId, uint256 deadline);
    /// @notice The challenge window of `jobId` closed at `endsAt`.
    error JobBoardChallengeWindowClosed(uint256 jobId, uint256 endsAt);
    /// @notice The challenge window of `jobId` is open until `endsAt`.
    error JobBoardChallengeWindowOpen(uint256 jobId, uint256 endsAt);
    /// @notice The provider cannot challenge its own result.
    error JobBoardSelfChallenge(uint256 jobId);
    /// @notice The bond sent is below the challenge bond.
    error JobBoardBondTooLow(uint256 sent, uint256 minimum);
    /// @notice `account` is not an arbiter (before escalation) nor governance (after).
    error JobBoardNotResolver(uint256 jobId, address account, bool escalated);
    /// @notice `account` has no credit in `asset`.
    error JobBoardNothingToWithdraw(address account, address asset);
    /// @notice The share is above BPS.
    error JobBoardInvalidShare(uint256 shareBps);
    /// @notice The escalation period is zero or above MAX_ESCALATION_PERIOD.
    error JobBoardInvalidEscalationPeriod(uint256 period);
    /// @notice `asset` already has that allowance.
    error JobBoardAssetUnchanged(address asset, bool allowed);
    /// @notice A required address is zero.
    error JobBoardZeroAddress();

    /// @notice `poster` posted `jobId` with its terms; `specCid` is the spec's CID.
    event JobPosted(
        uint256 indexed jobId,
        address indexed poster,
        address indexed asset,
        string specCid,
        uint256[] datasetIds,
        DataLicensing.Purpose purpose,
        uint256 bounty,
        uint64 biddingDeadline,
        uint64 deliveryDeadline,
        uint96 minimumStake,
        uint64 challengeWindow
    );
    /// @notice `provider` bid `price` to deliver `jobId` by `deliveryTime`, staking `stake` wei.
    event BidPlaced(uint256 indexed jobId, address indexed provider, uint256 price, uint40 deliveryTime, uint256 stake);
    /// @notice `provider` withdrew its bid on `jobId`; its stake was credited back.
    event BidWithdrawn(uint256 indexed jobId, address indexed provider, uint256 stake);
    /// @notice The poster accepted `provider`'s bid on `jobId`: deliver by `deliveryDeadline`.
    event BidAccepted(uint256 indexed jobId, address indexed provider, uint256 price, uint40 deliveryDeadline);
    /// @notice The poster cancelled `jobId` before acceptance; the bounty was credited back.
    event JobCancelled(uint256 indexed jobId, uint256 refunded);
    /// @notice The poster reopened `jobId` for bids with new deadlines.
    event JobReopened(uint256 indexed jobId, uint40 biddingDeadline, uint40 deliveryDeadline);
    /// @notice The provider submitted its result to `jobId`; challenges are open until `challengeEndsAt`.
    event ResultSubmitted(
        uint256 indexed jobId,
        address indexed provider,
        string checkpointCid,
        string metricsCid,
        uint256 claimedScore,
        uint40 challengeEndsAt
    );
    /// @notice `challenger` challenged the result of `jobId` with `bond` wei and the evidence at
    ///         `evidenceCid`; it escalates to governance at `escalatesAt`.
    event ResultChallenged(
        uint256 indexed jobId, address indexed challenger, uint256 bond, string evidenceCid, uint40 escalatesAt
    );
    /// @notice `resolver` resolved the challenge of `jobId`: the provider `providerUpheld` or not.
    event ChallengeResolved(
        uint256 indexed jobId, address indexed resolver, bool providerUpheld, bool byGovernance, string reasonCid
    );
    /// @notice `provider`'s stake on `jobId` was slashed: `toChallenger` and `toTreasury` wei.
    event ProviderSlashed(uint256 indexed jobId, address indexed provider, uint256 toChallenger, uint256 toTreasury);
    /// @notice `jobId` failed (provider slashed); `refunded` of the bounty was credited to the poster.
    event JobFailed(uint256 indexed jobId, address indexed provider, uint256 refunded);
    /// @notice `jobId` was finalized: `provider` was paid `paid`, the poster refunded `refunded`.
    event JobFinalized(uint256 indexed jobId, address indexed provider, uint256 paid, uint256 refunded);
    /// @notice `jobId` produced model `modelId`: the digests of its checkpoint and metrics
    ///         CIDs (the CIDs are in the job's ResultSubmitted) and its datasets (lineage).
    event ModelRecorded(
        uint256 indexed modelId,
        uint256 indexed jobId,
        address indexed provider,
        bytes32 checkpointDigest,
        bytes32 metricsDigest,
        uint256[] datasetIds,
        DataLicensing.Purpose purpose
    );
    /// @notice `account` was credited `amount` of `asset` from `jobId`, for `reason`.
    event PayoutCredited(
        uint256 indexed jobId, address indexed account, address indexed asset, uint256 amount, CreditReason reason
    );
    /// @notice `account` withdrew `amount` of `asset`.
    event Withdrawn(address indexed account, address indexed asset, uint256 amount);
    /// @notice Governance allowed or disallowed `asset` for new bounties.
    event AssetAllowedSet(address indexed asset, bool allowed);
    /// @notice Governance changed the challenge bond (wei).
    event ChallengeBondSet(uint96 oldBond, uint96 newBond);
    /// @notice Governance changed the challenger's share of a slashed stake (bps).
    event ChallengerShareSet(uint16 oldShareBps, uint16 newShareBps);
    /// @notice Governance changed the escalation period (seconds).
    event EscalationPeriodSet(uint64 oldPeriod, uint64 newPeriod);

    /// @param licensing_ The DataLicensing contract (its registry names the datasets).
    /// @param governance The timelock: sole holder of DEFAULT_ADMIN_ROLE.
    /// @param treasury_ Credited the treasury's share of slashed stakes (the timelock).
    /// @param challengeBond_ Initial challenge bond (wei).
    /// @param challengerShareBps_ Initial challenger share of a slashed stake (bps).
    /// @param escalationPeriod_ Initial escalation period (seconds).
    /// @param assets ERC20s allowed for bounties from the start (ETH always is).
    constructor(
        DataLicensing licensing_,
        address governance,
        address treasury_,
        uint96 challengeBond_,
        uint16 challengerShareBps_,
        uint64 escalationPeriod_,
        address[] memory assets
    ) {
        if (address(licensing_) == address(0) || governance == address(0) || treasury_ == address(0)) {
            revert JobBoardZeroAddress();
        }
        licensing = licensing_;
        treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _setChallengeBond(challengeBond_);
        _setChallengerShare(challengerShareBps_);
        _setEscalationPeriod(escalationPeriod_);
        _assetAllowed[ETH] = true;
        emit AssetAllowedSet(ETH, true);
        for (uint256 i = 0; i < assets.length; ++i) {
            if (assets[i] == ETH) revert JobBoardZeroAddress();
            _assetAllowed[assets[i]] = true;
            emit AssetAllowedSet(assets[i], true);
        }
    }

    // --------------------------------------------------------------------- post

    /// @notice Post a job and escrow its bounty (ETH: send it; ERC20: approve it first).
    ///         Anyone may post; governance posts with the treasury's funds.
    /// @param terms The job (see JobTerms).
    /// @return jobId The new job's id (ids start at 1).
    function postJob(JobTerms calldata terms) external payable nonReentrant returns (uint256 jobId) {
        _checkCid(terms.specCid, "specCid");
        _checkDatasets(terms.datasetIds);
        _checkDeadlines(terms.biddingDeadline, terms.deliveryDeadline);
        if (terms.challengeWindow == 0 || terms.challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert JobBoardInvalidChallengeWindow(terms.challengeWindow);
        }
        if (terms.minimumStake == 0) revert JobBoardZeroMinimumStake();
        if (!_assetAllowed[terms.asset]) revert JobBoardAssetNotAllowed(terms.asset);
        if (terms.bounty == 0) revert JobBoardZeroBounty();

        jobId = ++_lastJobId;
        Job storage job = _jobs[jobId];
        job.poster = msg.sender;
        job.biddingDeadline = uint40(terms.biddingDeadline);
        job.deliveryDeadline = uint40(terms.deliveryDeadline);
        job.purpose = terms.purpose;
        job.asset = terms.asset;
        job.challengeWindow = uint40(terms.challengeWindow);
        job.minimumStake = terms.minimumStake;
        job.bounty = terms.bounty;
        job.specDigest = keccak256(bytes(terms.specCid));
        uint64[] storage datasets = _datasets[jobId];
        for (uint256 i = 0; i < terms.datasetIds.length; ++i) {
            datasets.push(uint64(terms.datasetIds[i]));
        }
        _accounted[terms.asset] += terms.bounty;
        _emitPosted(jobId, terms);
        _collect(terms.asset, terms.bounty);
    }

    function _emitPosted(uint256 jobId, JobTerms calldata terms) private {
        emit JobPosted(
            jobId,
            msg.sender,
            terms.asset,
            terms.specCid,
            terms.datasetIds,
            terms.purpose,
            terms.bounty,
            terms.biddingDeadline,
            terms.deliveryDeadline,
            terms.minimumStake,
            terms.challengeWindow
        );
    }

    /// @dev Take the bounty: exact ETH, or an ERC20 transfer whose arrival is measured.
    function _collect(address asset, uint256 amount) private {
        if (asset == ETH) {
            if (msg.value != amount) revert JobBoardWrongValue(msg.value, amount);
            return;
        }
        if (msg.value != 0) revert JobBoardWrongValue(msg.value, 0);
        IERC20 token = IERC20(asset);
        uint256 allowance = token.allowance(msg.sender, address(this));
        if (allowance < amount) revert JobBoardInsufficientAllowance(allowance, amount);
        uint256 balance = token.balanceOf(msg.sender);
        if (balance < amount) revert JobBoardInsufficientBalance(balance, amount);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        // Escrowing more than arrived would break "balance = accounted"; refuse short transfers.
        if (received != amount) revert JobBoardShortTransfer(received, amount);
    }

    function _checkCid(string calldata cid, string memory field) private pure {
        uint256 length = bytes(cid).length;
        if (length == 0 || length > MAX_CID_LENGTH) revert JobBoardInvalidCid(field);
    }

    function _checkDatasets(uint256[] calldata datasetIds) private view {
        uint256 count = datasetIds.length;
        if (count == 0 || count > MAX_DATASETS) revert JobBoardInvalidDatasetCount(count, MAX_DATASETS);
        uint256 known = licensing.registry().datasetCount();
        uint256 previous = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 datasetId = datasetIds[i];
            if (datasetId <= previous) revert JobBoardDatasetsNotSorted(i);
            if (datasetId > known) revert JobBoardUnknownDataset(datasetId);
            previous = datasetId;
        }
    }

    function _checkDeadlines(uint256 biddingDeadline, uint256 deliveryDeadline) private view {
        if (
            biddingDeadline <= block.timestamp || deliveryDeadline <= biddingDeadline
                || deliveryDeadline > block.timestamp + MAX_JOB_DURATION
        ) revert JobBoardInvalidDeadlines(biddingDeadline, deliveryDeadline);
    }

    // --------------------------------------------------------------------- bids

    /// @notice Bid on an open job: deliver by `deliveryTime` for `price` (in the bounty's
    ///         asset, at most the bounty); `msg.value` is the ETH stake (at least the job's minimum).
    /// @param jobId The job.
    /// @param price The price asked.
    /// @param deliveryTime When the result will be submitted at the latest (unix seconds,
    ///        at most the job's delivery deadline).
    function placeBid(uint256 jobId, uint256 price, uint40 deliveryTime) external payable {
        Job storage job = _jobWithStatus(jobId, Status.Open);
        if (block.timestamp > job.biddingDeadline) revert JobBoardBiddingClosed(jobId, job.biddingDeadline);
        if (price == 0 || price > job.bounty) revert JobBoardInvalidPrice(price, job.bounty);
        if (deliveryTime <= block.timestamp || deliveryTime > job.deliveryDeadline) {
            revert JobBoardInvalidDeliveryTime(deliveryTime, job.deliveryDeadline);
        }
        if (msg.value < job.minimumStake) revert JobBoardStakeTooLow(msg.value, job.minimumStake);
        if (msg.value > type(uint96).max) revert JobBoardAmountTooHigh(msg.value);
        Bid storage bid = _bids[jobId][msg.sender];
        if (bid.active) revert JobBoardAlreadyBid(jobId, msg.sender);
        _bids[jobId][msg.sender] =
            Bid({price: uint128(price), deliveryTime: deliveryTime, stake: uint96(msg.value), active: true});
        _bidCounts[jobId] += 1;
        _accounted[ETH] += msg.value;
        emit BidPlaced(jobId, msg.sender, price, deliveryTime, msg.value);
    }

    /// @notice Withdraw the caller's active bid on `jobId` (any time it is not accepted);
    ///         its stake is credited to the caller.
    /// @param jobId The job.
    function withdrawBid(uint256 jobId) external {
        _requireJob(jobId);
        Bid storage bid = _bids[jobId][msg.sender];
        if (!bid.active) revert JobBoardNoBid(jobId, msg.sender);
        uint256 stake = bid.stake;
        bid.active = false;
        bid.stake = 0;
        _bidCounts[jobId] -= 1;
        emit BidWithdrawn(jobId, msg.sender, stake);
        _creditFromHeld(jobId, msg.sender, ETH, stake, CreditReason.StakeReturned);
    }

    /// @notice Accept `provider`'s bid on `jobId`. Only the poster, until the bidding deadline;
    ///         the provider must hold a valid pass for every dataset with the job's purpose.
    /// @param jobId The job.
    /// @param provider The bidder.
    function acceptBid(uint256 jobId, address provider) external {
        Job storage job = _jobWithStatus(jobId, Status.Open);
        _onlyPoster(job, jobId);
        if (block.timestamp > job.biddingDeadline) revert JobBoardBiddingClosed(jobId, job.biddingDeadline);
        Bid storage bid = _bids[jobId][provider];
        if (!bid.active) revert JobBoardNoBid(jobId, provider);
        // A bid from before a reopening may promise a time the new deadlines no longer allow.
        if (bid.deliveryTime <= block.timestamp || bid.deliveryTime > job.deliveryDeadline) {
            revert JobBoardInvalidDeliveryTime(bid.deliveryTime, job.deliveryDeadline);
        }
        uint64[] storage datasets = _datasets[jobId];
        for (uint256 i = 0; i < datasets.length; ++i) {
            if (!licensing.hasAccess(provider, datasets[i], job.purpose)) {
                revert JobBoardMissingAccess(provider, datasets[i], job.purpose);
            }
        }
        job.status = Status.InProgress;
        job.provider = provider;
        job.stake = bid.stake;
        job.price = bid.price;
        job.deliveryDeadline = bid.deliveryTime;
        bid.active = false;
        bid.stake = 0;
        _bidCounts[jobId] -= 1;
        emit BidAccepted(jobId, provider, job.price, job.deliveryDeadline);
    }

    /// @notice Cancel `jobId` before a bid is accepted; the bounty is credited to the poster.
    ///         Only the poster. Bidders withdraw their stakes with `withdrawBid`.
    /// @param jobId The job.
    function cancelJob(uint256 jobId) external {
        Job storage job = _jobWithStatus(jobId, Status.Open);
        _onlyPoster(job, jobId);
        job.status = Status.Cancelled;
        emit JobCancelled(jobId, job.bounty);
        _creditFromHeld(jobId, job.poster, job.asset, job.bounty, CreditReason.BountyRefund);
    }

    /// @notice Reopen `jobId` for bids with new deadlines: when bidding closed without an
    ///         accepted bid, or when the accepted provider missed its delivery deadline (its
    ///         stake is then slashed to the treasury). Only the poster.
    /// @param jobId The job.
    /// @param biddingDeadline The new bidding deadline.
    /// @param deliveryDeadline The new delivery deadline.
    function reopenJob(uint256 jobId, uint64 biddingDeadline, uint64 deliveryDeadline) external {
        Job storage job = _requireJob(jobId);
        _onlyPoster(job, jobId);
        if (job.status == Status.Open) {
            if (block.timestamp <= job.biddingDeadline) revert JobBoardBiddingOpen(jobId, job.biddingDeadline);
        } else if (job.status == Status.InProgress) {
            _slashMissedDelivery(job, jobId);
        } else {
            revert JobBoardWrongStatus(jobId, job.status);
        }
        _checkDeadlines(biddingDeadline, deliveryDeadline);
        job.status = Status.Open;
        job.biddingDeadline = uint40(biddingDeadline);
        job.deliveryDeadline = uint40(deliveryDeadline);
        job.provider = address(0);
        job.price = 0;
        emit JobReopened(jobId, uint40(biddingDeadline), uint40(deliveryDeadline));
    }

    /// @notice The accepted provider missed its delivery deadline: slash its stake to the
    ///         treasury and credit the bounty back to the poster. Only the poster.
    /// @param jobId The job.
    function refundMissedDelivery(uint256 jobId) external {
        Job storage job = _jobWithStatus(jobId, Status.InProgress);
        _onlyPoster(job, jobId);
        address provider = job.provider;
        _slashMissedDelivery(job, jobId);
        _fail(job, jobId, provider);
    }

    function _slashMissedDelivery(Job storage job, uint256 jobId) private {
        if (block.timestamp <= job.deliveryDeadline) revert JobBoardDeliveryOpen(jobId, job.deliveryDeadline);
        address provider = job.provider;
        uint256 stake = job.stake;
        job.stake = 0;
        _reputations[provider].jobsFailed += 1;
        emit ProviderSlashed(jobId, provider, 0, stake);
        _creditFromHeld(jobId, treasury, ETH, stake, CreditReason.Slash);
    }

    // ------------------------------------------------------------------ results

    /// @notice Submit the result of `jobId`. Only its accepted provider, by the delivery deadline.
    /// @param jobId The job.
    /// @param checkpointCid CID of the trained checkpoint.
    /// @param metricsCid CID of the evaluation metrics.
    /// @param claimedScore The score the provider claims on the spec's metric (< 2**216).
    function submitResult(
        uint256 jobId,
        string calldata checkpointCid,
        string calldata metricsCid,
        uint256 claimedScore
    ) external {
        Job storage job = _jobWithStatus(jobId, Status.InProgress);
        if (msg.sender != job.provider) revert JobBoardNotProvider(jobId, msg.sender);
        if (block.timestamp > job.deliveryDeadline) revert JobBoardDeliveryClosed(jobId, job.deliveryDeadline);
        _checkCid(checkpointCid, "checkpointCid");
        _checkCid(metricsCid, "metricsCid");
        if (claimedScore > type(uint216).max) revert JobBoardAmountTooHigh(claimedScore);
        uint40 endsAt = uint40(block.timestamp + job.challengeWindow);
        job.status = Status.InReview;
        job.challengeEndsAt = endsAt;
        _results[jobId] = Result({
            checkpointDigest: keccak256(bytes(checkpointCid)),
            metricsDigest: keccak256(bytes(metricsCid)),
            claimedScore: uint216(claimedScore),
            submittedAt: uint40(block.timestamp)
        });
        emit ResultSubmitted(jobId, msg.sender, checkpointCid, metricsCid, claimedScore, endsAt);
    }

    /// @notice Challenge the result of `jobId` during its challenge window; `msg.value` is the
    ///         bond (at least `challengeBond`). Anyone but the provider; one challenge per job.
    /// @param jobId The job.
    /// @param evidenceCid CID of the evidence (e.g. a re-run's metrics).
    function challengeResult(uint256 jobId, string calldata evidenceCid) external payable {
        Job storage job = _jobWithStatus(jobId, Status.InReview);
        if (block.timestamp >= job.challengeEndsAt) revert JobBoardChallengeWindowClosed(jobId, job.challengeEndsAt);
        if (msg.sender == job.provider) revert JobBoardSelfChallenge(jobId);
        _checkCid(evidenceCid, "evidenceCid");
        if (msg.value < challengeBond) revert JobBoardBondTooLow(msg.value, challengeBond);
        if (msg.value > type(uint96).max) revert JobBoardAmountTooHigh(msg.value);
        uint40 escalatesAt = uint40(block.timestamp + escalationPeriod);
        job.status = Status.Challenged;
        _challenges[jobId] = Challenge({challenger: msg.sender, escalatesAt: escalatesAt, bond: uint96(msg.value)});
        _accounted[ETH] += msg.value;
        emit ResultChallenged(jobId, msg.sender, msg.value, evidenceCid, escalatesAt);
    }

    /// @notice Resolve the challenge of `jobId`. An arbiter until it escalates, governance after.
    ///         Upheld: the challenger's bond goes to the provider and the job is finalized.
    ///         Not upheld: the stake is slashed (challengerShareBps to the challenger, the rest to
    ///         the treasury), the challenger's bond returned and the bounty refunded to the poster.
    /// @param jobId The job.
    /// @param providerUpheld Whether the provider's result stands.
    /// @param reasonCid CID of the resolution's reasoning.
    function resolveChallenge(uint256 jobId, bool providerUpheld, string calldata reasonCid) external {
        Job storage job = _jobWithStatus(jobId, Status.Challenged);
        Challenge storage challenge = _challenges[jobId];
        bool escalated = block.timestamp >= challenge.escalatesAt;
        bytes32 role = escalated ? DEFAULT_ADMIN_ROLE : ARBITER_ROLE;
        if (!hasRole(role, msg.sender)) revert JobBoardNotResolver(jobId, msg.sender, escalated);
        _checkCid(reasonCid, "reasonCid");
        address provider = job.provider;
        address challenger = challenge.challenger;
        uint256 bond = challenge.bond;
        emit ChallengeResolved(jobId, msg.sender, providerUpheld, escalated, reasonCid);
        Reputation storage reputation = _reputations[provider];
        if (providerUpheld) {
            reputation.disputesWon += 1;
            _creditFromHeld(jobId, provider, ETH, bond, CreditReason.ChallengeBond);
            _complete(job, jobId);
            return;
        }
        reputation.disputesLost += 1;
        reputation.jobsFailed += 1;
        uint256 stake = job.stake;
        job.stake = 0;
        uint256 toChallenger = (stake * challengerShareBps) / BPS;
        emit ProviderSlashed(jobId, provider, toChallenger, stake - toChallenger);
        _creditFromHeld(jobId, challenger, ETH, bond, CreditReason.BondReturned);
        _creditFromHeld(jobId, challenger, ETH, toChallenger, CreditReason.ChallengeReward);
        _creditFromHeld(jobId, treasury, ETH, stake - toChallenger, CreditReason.Slash);
        _fail(job, jobId, provider);
    }

    /// @notice Finalize `jobId` once its challenge window closed unchallenged (anyone): the
    ///         provider is credited its price and its stake, the poster the rest of the bounty,
    ///         and the model is recorded.
    /// @param jobId The job.
    function finalizeJob(uint256 jobId) external {
        Job storage job = _jobWithStatus(jobId, Status.InReview);
        if (block.timestamp < job.challengeEndsAt) revert JobBoardChallengeWindowOpen(jobId, job.challengeEndsAt);
        _complete(job, jobId);
    }

    function _complete(Job storage job, uint256 jobId) private {
        address provider = job.provider;
        uint256 price = job.price;
        uint256 refund = job.bounty - price;
        uint256 stake = job.stake;
        job.status = Status.Completed;
        job.stake = 0;
        _reputations[provider].jobsCompleted += 1;
        _earned[provider][job.asset] += price;
        emit JobFinalized(jobId, provider, price, refund);
        _creditFromHeld(jobId, provider, job.asset, price, CreditReason.Payment);
        _creditFromHeld(jobId, provider, ETH, stake, CreditReason.StakeReturned);
        _creditFromHeld(jobId, job.poster, job.asset, refund, CreditReason.BountyRefund);
        uint256 modelId = ++_lastModelId;
        _modelOfJob[jobId] = modelId;
        _models[modelId] = Model({jobId: uint64(jobId), provider: provider});
        Result storage result = _results[jobId];
        emit ModelRecorded(
            modelId, jobId, provider, result.checkpointDigest, result.metricsDigest, datasetsOf(jobId), job.purpose
        );
    }

    function _fail(Job storage job, uint256 jobId, address provider) private {
        job.status = Status.Failed;
        emit JobFailed(jobId, provider, job.bounty);
        _creditFromHeld(jobId, job.poster, job.asset, job.bounty, CreditReason.BountyRefund);
    }

    // -------------------------------------------------------------- withdrawals

    /// @notice Withdraw everything credited to the caller in `asset` (ETH: address(0)).
    /// @param asset The asset.
    function withdraw(address asset) external nonReentrant {
        uint256 amount = _credits[msg.sender][asset];
        if (amount == 0) revert JobBoardNothingToWithdraw(msg.sender, asset);
        _credits[msg.sender][asset] = 0;
        _accounted[asset] -= amount;
        emit Withdrawn(msg.sender, asset, amount);
        // Pull payment to the caller alone: a receiver that reverts only fails its own call.
        if (asset == ETH) {
            Address.sendValue(payable(msg.sender), amount);
        } else {
            IERC20(asset).safeTransfer(msg.sender, amount);
        }
    }

    /// @dev Move `amount` already held (escrow, stake or bond) to `account`'s credit: the
    ///      asset's accounted total does not change.
    function _creditFromHeld(uint256 jobId, address account, address asset, uint256 amount, CreditReason reason)
        private
    {
        if (amount == 0) return;
        _credits[account][asset] += amount;
        emit PayoutCredited(jobId, account, asset, amount, reason);
    }

    // --------------------------------------------------------------- governance

    /// @notice Allow or disallow an ERC20 for new bounties (escrows and credits stay). Only governance.
    /// @param asset The token.
    /// @param allowed Whether it is allowed.
    function setAssetAllowed(address asset, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (asset == ETH) revert JobBoardZeroAddress();
        if (_assetAllowed[asset] == allowed) revert JobBoardAssetUnchanged(asset, allowed);
        _assetAllowed[asset] = allowed;
        emit AssetAllowedSet(asset, allowed);
    }

    /// @notice Set the bond of future challenges (wei). Only governance.
    /// @param newBond The new bond.
    function setChallengeBond(uint96 newBond) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setChallengeBond(newBond);
    }

    /// @notice Set the challenger's share of a slashed stake (bps, at most BPS). Only governance.
    /// @param newShareBps The new share.
    function setChallengerShare(uint16 newShareBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setChallengerShare(newShareBps);
    }

    /// @notice Set the escalation period of future challenges (seconds). Only governance.
    /// @param newPeriod The new period, 1..MAX_ESCALATION_PERIOD.
    function setEscalationPeriod(uint64 newPeriod) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setEscalationPeriod(newPeriod);
    }

    function _setChallengeBond(uint96 newBond) private {
        emit ChallengeBondSet(challengeBond, newBond);
        challengeBond = newBond;
    }

    function _setChallengerShare(uint16 newShareBps) private {
        if (newShareBps > BPS) revert JobBoardInvalidShare(newShareBps);
        emit ChallengerShareSet(challengerShareBps, newShareBps);
        challengerShareBps = newShareBps;
    }

    function _setEscalationPeriod(uint64 newPeriod) private {
        if (newPeriod == 0 || newPeriod > MAX_ESCALATION_PERIOD) revert JobBoardInvalidEscalationPeriod(newPeriod);
        emit EscalationPeriodSet(escalationPeriod, newPeriod);
        escalationPeriod = newPeriod;
    }

    // -------------------------------------------------------------------- views

    /// @notice The stored facts of `jobId`.
    /// @param jobId The job.
    function jobOf(uint256 jobId) external view returns (Job memory) {
        return _requireJob(jobId);
    }

    /// @notice The datasets `jobId` trains on, in increasing order.
    /// @param jobId The job.
    function datasetsOf(uint256 jobId) public view returns (uint256[] memory datasetIds) {
        _requireJob(jobId);
        uint64[] storage stored = _datasets[jobId];
        datasetIds = new uint256[](stored.length);
        for (uint256 i = 0; i < stored.length; ++i) {
            datasetIds[i] = stored[i];
        }
    }

    /// @notice `provider`'s bid on `jobId` (active false: none, withdrawn or accepted).
    /// @param jobId The job.
    /// @param provider The bidder.
    function bidOf(uint256 jobId, address provider) external view returns (Bid memory) {
        _requireJob(jobId);
        return _bids[jobId][provider];
    }

    /// @notice How many active bids `jobId` has.
    /// @param jobId The job.
    function bidCount(uint256 jobId) external view returns (uint256) {
        _requireJob(jobId);
        return _bidCounts[jobId];
    }

    /// @notice The result submitted to `jobId` (submittedAt 0: none).
    /// @param jobId The job.
    function resultOf(uint256 jobId) external view returns (Result memory) {
        _requireJob(jobId);
        return _results[jobId];
    }

    /// @notice The challenge of `jobId` (challenger zero: none).
    /// @param jobId The job.
    function challengeOf(uint256 jobId) external view returns (Challenge memory) {
        _requireJob(jobId);
        return _challenges[jobId];
    }

    /// @notice The model `jobId` produced (0: none yet).
    /// @param jobId The job.
    function modelOfJob(uint256 jobId) external view returns (uint256) {
        _requireJob(jobId);
        return _modelOfJob[jobId];
    }

    /// @notice The job and provider of model `modelId`.
    /// @param modelId The model.
    function modelOf(uint256 modelId) external view returns (Model memory) {
        if (modelId == 0 || modelId > _lastModelId) revert JobBoardUnknownModel(modelId);
        return _models[modelId];
    }

    /// @notice `provider`'s record (it cannot be transferred: it is not a token).
    /// @param provider The provider.
    function reputationOf(address provider) external view returns (Reputation memory) {
        return _reputations[provider];
    }

    /// @notice What `provider` was paid in `asset` over all completed jobs.
    /// @param provider The provider.
    /// @param asset The asset.
    function earnedOf(address provider, address asset) external view returns (uint256) {
        return _earned[provider][asset];
    }

    /// @notice What `account` may withdraw in `asset`.
    /// @param account The account.
    /// @param asset The asset.
    function creditOf(address account, address asset) external view returns (uint256) {
        return _credits[account][asset];
    }

    /// @notice Escrowed bounties + stakes + bonds + credits in `asset`: what the contract
    ///         must hold of it (its balance, barring gifts).
    /// @param asset The asset.
    function accountedBalance(address asset) external view returns (uint256) {
        return _accounted[asset];
    }

    /// @notice Whether `asset` may be a new bounty's asset.
    /// @param asset The asset.
    function isAssetAllowed(address asset) external view returns (bool) {
        return _assetAllowed[asset];
    }

    /// @notice How many jobs were ever posted (the highest id).
    function jobCount() external view returns (uint256) {
        return _lastJobId;
    }

    /// @notice How many models were ever recorded (the highest id).
    function modelCount() external view returns (uint256) {
        return _lastModelId;
    }

    // ----------------------------------------------------------------- internal

    function _requireJob(uint256 jobId) private view returns (Job storage) {
        if (jobId == 0 || jobId > _lastJobId) revert JobBoardUnknownJob(jobId);
        return _jobs[jobId];
    }

    function _jobWithStatus(uint256 jobId, Status status) private view returns (Job storage job) {
        job = _requireJob(jobId);
        if (job.status != status) revert JobBoardWrongStatus(jobId, job.status);
    }

    function _onlyPoster(Job storage job, uint256 jobId) private view {
        if (msg.sender != job.poster) revert JobBoardNotPoster(jobId, msg.sender);
    }
}
