// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {DatasetRegistry} from "./DatasetRegistry.sol";

/// @notice ERC-5192: minimal soulbound NFTs.
interface IERC5192 {
    /// @notice `tokenId` can no longer be transferred.
    event Locked(uint256 tokenId);
    /// @notice `tokenId` can be transferred again (never emitted here).
    event Unlocked(uint256 tokenId);

    /// @notice Whether `tokenId` is soulbound.
    function locked(uint256 tokenId) external view returns (bool);
}

/// @title DataLicensing
/// @notice Licenses to the cooperative's datasets. A dataset's contributor (its
///         DatasetRegistry token holder) offers tiers (price in ETH or an allowed ERC20,
///         duration, purpose, license class); buying one mints a soulbound access pass
///         (ERC-721 + ERC-5192) to the buyer or another address; every sale is split
///         between the treasury, the dataset's curators, its ancestors' contributors
///         (upstream royalty, up to MAX_ROYALTY_DEPTH generations) and its contributor,
///         who are credited and withdraw when they like (pull payments).
/// @dev Passes are a minimal soulbound ERC-721 written here rather than OZ's ERC721: a pass
///      never moves, so its holder, expiry, tier and revocation share ONE storage slot
///      (a purchase writes that slot and the holder's balance, nothing else per pass).
///      One pass per (holder, dataset, purpose): its token id is
///      `holder << 96 | datasetId << 8 | purpose`, so `hasAccess` needs no index and a
///      second purchase extends the same pass. Credits live in one slot per account and
///      currency; nothing is stored per sale (the indexer reads the events). Invariant:
///      for each currency the contract holds exactly the sum of all credits (ERC20s that
///      deliver less than the price, e.g. fee-on-transfer tokens, are refused).
///      Everything privileged belongs to DEFAULT_ADMIN_ROLE, held by the timelock alone.
contract DataLicensing is IERC721Metadata, IERC721Errors, AccessControl, ReentrancyGuardTransient, IERC5192 {
    using SafeERC20 for IERC20;

    /// @notice What a licensee may use the data for.
    enum Purpose {
        Research,
        CommercialTraining,
        Evaluation,
        Other
    }

    /// @notice Who may use the data (Data Provenance Initiative classes), most permissive first.
    enum Use {
        All,
        NonCommercial,
        Academic
    }

    /// @notice Where a credit came from (RevenueCredited.source).
    enum Source {
        Sale,
        TreasuryFee,
        Curation,
        UpstreamRoyalty
    }

    /// @notice A license class: who may use the data and on what terms.
    struct LicenseClass {
        Use use;
        bool attribution;
        bool shareAlike;
    }

    /// @notice A tier as its contributor sets it.
    struct TierTerms {
        uint256 price;
        address currency;
        uint40 duration;
        Purpose purpose;
        LicenseClass licenseClass;
    }

    /// @notice A stored tier (price in its own slot; the rest packed in one).
    struct Tier {
        address currency;
        uint40 duration;
        Purpose purpose;
        Use use;
        bool attribution;
        bool shareAlike;
        bool active;
        uint256 price;
    }

    /// @notice A stored access pass (one slot; dataset and purpose are in its token id).
    struct Pass {
        address holder;
        uint40 expiresAt;
        uint32 tierIndex;
        bool revoked;
    }

    /// @notice An EIP-2612 permit the buyer signed for the tier's token: this contract may
    ///         take up to `value` from the buyer until `deadline`.
    struct PermitSignature {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice A declared license class (the ceiling of what derived datasets may offer).
    struct Declaration {
        bool declared;
        LicenseClass licenseClass;
    }

    /// @notice ETH's currency address.
    address public constant ETH = address(0);
    /// @notice Basis points in one whole.
    uint256 public constant BPS = 10_000;
    /// @notice Highest treasury fee, curator share or royalty governance may set (bps).
    uint256 public constant MAX_SHARE_BPS = 5_000;
    /// @notice Generations of ancestors an upstream royalty reaches.
    uint256 public constant MAX_ROYALTY_DEPTH = 4;
    /// @notice Most upstream recipients one sale credits (bounds a sale's gas on wide lineages;
    ///         what would go further stays with the last ancestor reached).
    uint256 public constant MAX_UPSTREAM_CREDITS = 32;
    /// @notice Most tiers one dataset may have.
    uint256 public constant MAX_TIERS = 16;
    /// @notice Longest tier duration.
    uint40 public constant MAX_DURATION = 3_650 days;
    /// @notice Longest reason CID accepted, in bytes.
    uint256 public constant MAX_CID_LENGTH = 128;

    /// @notice The dataset registry: contributors, lineage, attestations, licensability.
    DatasetRegistry public immutable registry;
    /// @notice Receives the treasury fee (the timelock), credited like everyone else.
    address public immutable treasury;

    /// @notice Share of each sale credited to the treasury (bps).
    uint16 public treasuryFeeBps;
    /// @notice Share of each sale split equally among the dataset's curators (bps).
    uint16 public curatorBps;
    /// @notice Share of a sale (and of each ancestor's royalty) passed to the parents (bps).
    uint16 public royaltyBps;

    mapping(address currency => bool) private _currencyAllowed;
    mapping(uint256 datasetId => Tier[]) private _tiers;
    mapping(uint256 datasetId => Declaration) private _declarations;
    mapping(uint256 tokenId => Pass) private _passes;
    mapping(address holder => uint256) private _balances;
    mapping(address account => mapping(address currency => uint256)) private _credits;

    /// @notice No dataset has id `datasetId`.
    error DataLicensingUnknownDataset(uint256 datasetId);
    /// @notice `account` is not the contributor of `datasetId`.
    error DataLicensingNotContributor(uint256 datasetId, address account);
    /// @notice `datasetId` is delisted or its licensing is paused.
    error DataLicensingNotLicensable(uint256 datasetId);
    /// @notice A tier's price is zero.
    error DataLicensingZeroPrice();
    /// @notice `currency` is not allowed by governance.
    error DataLicensingCurrencyNotAllowed(address currency);
    /// @notice The duration is zero or above MAX_DURATION.
    error DataLicensingInvalidDuration(uint256 duration);
    /// @notice A commercial-training tier must allow commercial use.
    error DataLicensingPurposeNeedsCommercialUse();
    /// @notice `datasetId` already has MAX_TIERS tiers.
    error DataLicensingTooManyTiers(uint256 datasetId, uint256 max);
    /// @notice `datasetId` has no tier `tierIndex`.
    error DataLicensingUnknownTier(uint256 datasetId, uint256 tierIndex);
    /// @notice Tier `tierIndex` of `datasetId` is not offered now.
    error DataLicensingTierInactive(uint256 datasetId, uint256 tierIndex);
    /// @notice The tier is more permissive than parent `parentId` allows (`allowed`).
    error DataLicensingIncompatibleWithParent(uint256 parentId, LicenseClass allowed);
    /// @notice The ETH sent does not equal the price (or ETH was sent for an ERC20 tier).
    error DataLicensingWrongPayment(uint256 sent, uint256 price);
    /// @notice The token delivered `received` instead of `price` (fee-on-transfer tokens refused).
    error DataLicensingShortPayment(uint256 received, uint256 price);
    /// @notice A required address is zero.
    error DataLicensingZeroAddress();
    /// @notice No pass has id `tokenId`.
    error DataLicensingUnknownPass(uint256 tokenId);
    /// @notice Pass `tokenId` was revoked: it cannot be renewed or bought again.
    error DataLicensingPassRevoked(uint256 tokenId);
    /// @notice Passes are soulbound: they cannot be transferred or approved.
    error DataLicensingSoulbound(uint256 tokenId);
    /// @notice `account` has nothing to withdraw in `currency`.
    error DataLicensingNothingToWithdraw(address account, address currency);
    /// @notice A share is above MAX_SHARE_BPS, or the shares add up to more than BPS.
    error DataLicensingInvalidShares(uint256 treasuryFeeBps, uint256 curatorBps, uint256 royaltyBps);
    /// @notice The currency's allowance already is `allowed`.
    error DataLicensingCurrencyUnchanged(address currency, bool allowed);
    /// @notice The reason CID is empty or longer than MAX_CID_LENGTH.
    error DataLicensingInvalidReason();
    /// @notice A permit was given for tier `tierIndex` of `datasetId`, which is priced in ETH.
    error DataLicensingPermitForEth(uint256 datasetId, uint256 tierIndex);
    /// @notice The permit was refused by the token (bad signature, past deadline, used nonce)
    ///         and the buyer's allowance (`allowance`) is below the price.
    error DataLicensingPermitFailed(address currency, uint256 allowance, uint256 price);

    /// @notice Tier `tierIndex` of `datasetId` was added or changed by its contributor.
    event TierSet(
        uint256 indexed datasetId,
        uint256 indexed tierIndex,
        address indexed currency,
        uint256 price,
        uint40 duration,
        Purpose purpose,
        Use use,
        bool attribution,
        bool shareAlike
    );
    /// @notice Tier `tierIndex` of `datasetId` was withdrawn from sale or offered again.
    event TierActiveSet(uint256 indexed datasetId, uint256 indexed tierIndex, bool active);
    /// @notice The contributor of `datasetId` declared what its derived datasets may offer.
    event LicenseDeclared(uint256 indexed datasetId, Use use, bool attribution, bool shareAlike);
    /// @notice `buyer` bought tier `tierIndex` of `datasetId` for `holder`: pass `tokenId`,
    ///         valid until `expiresAt`; the split of `price` follows as RevenueCredited events.
    event LicensePurchased(
        uint256 indexed tokenId,
        uint256 indexed datasetId,
        address indexed holder,
        address buyer,
        uint256 tierIndex,
        Purpose purpose,
        address currency,
        uint256 price,
        uint40 expiresAt
    );
    /// @notice Pass `tokenId` was extended from `previousExpiresAt` to `expiresAt`.
    event PassRenewed(uint256 indexed tokenId, uint40 previousExpiresAt, uint40 expiresAt);
    /// @notice Governance revoked pass `tokenId` for the reason at `reasonCid`.
    event PassRevoked(uint256 indexed tokenId, address indexed holder, string reasonCid);
    /// @notice `amount` of `currency` from a sale of `saleDatasetId` was credited to `account`,
    ///         earned as `source` through `earningDatasetId` (an ancestor for royalties).
    event RevenueCredited(
        uint256 indexed saleDatasetId,
        address indexed account,
        address indexed currency,
        uint256 earningDatasetId,
        Source source,
        uint256 amount
    );
    /// @notice `account` withdrew `amount` of `currency`.
    event Withdrawn(address indexed account, address indexed currency, uint256 amount);
    /// @notice Governance changed the shares of a sale (bps).
    event SharesSet(
        uint16 oldTreasuryFeeBps,
        uint16 oldCuratorBps,
        uint16 oldRoyaltyBps,
        uint16 treasuryFeeBps,
        uint16 curatorBps,
        uint16 royaltyBps
    );
    /// @notice Governance allowed or disallowed `currency` for new tiers and sales.
    event CurrencyAllowedSet(address indexed currency, bool oldAllowed, bool allowed);

    /// @param registry_ The DatasetRegistry.
    /// @param governance The timelock: sole holder of DEFAULT_ADMIN_ROLE.
    /// @param treasury_ Receives the treasury fee (the timelock).
    /// @param treasuryFeeBps_ Initial treasury fee (bps).
    /// @param curatorBps_ Initial curator share (bps).
    /// @param royaltyBps_ Initial upstream royalty (bps).
    /// @param currencies ERC20s allowed from the start (ETH always is).
    constructor(
        DatasetRegistry registry_,
        address governance,
        address treasury_,
        uint16 treasuryFeeBps_,
        uint16 curatorBps_,
        uint16 royaltyBps_,
        address[] memory currencies
    ) {
        if (address(registry_) == address(0) || governance == address(0) || treasury_ == address(0)) {
            revert DataLicensingZeroAddress();
        }
        registry = registry_;
        treasury = treasury_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _setShares(treasuryFeeBps_, curatorBps_, royaltyBps_);
        _setCurrencyAllowed(ETH, true);
        for (uint256 i = 0; i < currencies.length; ++i) {
            if (currencies[i] == ETH) revert DataLicensingZeroAddress();
            _setCurrencyAllowed(currencies[i], true);
        }
    }

    // -------------------------------------------------------------------- tiers

    /// @notice Add a tier to `datasetId` (`tierIndex` = tierCount) or replace tier
    ///         `tierIndex`; the tier is offered at once. Only the dataset's contributor,
    ///         never on a delisted dataset. The class must not be more permissive than
    ///         any parent allows (see `allowedClassOf`).
    /// @param datasetId The dataset.
    /// @param tierIndex The tier's index.
    /// @param terms Price (> 0), currency (allowed), duration, purpose and license class.
    function setTier(uint256 datasetId, uint256 tierIndex, TierTerms calldata terms) external {
        _requireContributor(datasetId);
        if (registry.statusOf(datasetId) == DatasetRegistry.Status.Delisted) {
            revert DataLicensingNotLicensable(datasetId);
        }
        _checkTerms(terms);
        _checkParents(datasetId, terms.licenseClass);
        Tier[] storage tiers = _tiers[datasetId];
        Tier memory tier = Tier({
            currency: terms.currency,
            duration: terms.duration,
            purpose: terms.purpose,
            use: terms.licenseClass.use,
            attribution: terms.licenseClass.attribution,
            shareAlike: terms.licenseClass.shareAlike,
            active: true,
            price: terms.price
        });
        if (tierIndex == tiers.length) {
            if (tierIndex >= MAX_TIERS) revert DataLicensingTooManyTiers(datasetId, MAX_TIERS);
            tiers.push(tier);
        } else if (tierIndex < tiers.length) {
            tiers[tierIndex] = tier;
        } else {
            revert DataLicensingUnknownTier(datasetId, tierIndex);
        }
        emit TierSet(
            datasetId,
            tierIndex,
            terms.currency,
            terms.price,
            terms.duration,
            terms.purpose,
            terms.licenseClass.use,
            terms.licenseClass.attribution,
            terms.licenseClass.shareAlike
        );
    }

    /// @notice Withdraw tier `tierIndex` of `datasetId` from sale, or offer it again.
    ///         Only the dataset's contributor. Passes already sold stay valid.
    /// @param datasetId The dataset.
    /// @param tierIndex The tier.
    /// @param active Whether it is offered.
    function setTierActive(uint256 datasetId, uint256 tierIndex, bool active) external {
        _requireContributor(datasetId);
        Tier storage tier = _tier(datasetId, tierIndex);
        if (active) {
            _checkParents(datasetId, LicenseClass(tier.use, tier.attribution, tier.shareAlike));
            if (!_currencyAllowed[tier.currency]) revert DataLicensingCurrencyNotAllowed(tier.currency);
        }
        tier.active = active;
        emit TierActiveSet(datasetId, tierIndex, active);
    }

    /// @notice Declare the most permissive class datasets derived from `datasetId` may offer
    ///         (replacing what its tiers imply). Only the dataset's contributor. Tiers already
    ///         set by derived datasets stay; new ones are checked against it.
    /// @param datasetId The dataset.
    /// @param licenseClass The class.
    function declareLicense(uint256 datasetId, LicenseClass calldata licenseClass) external {
        _requireContributor(datasetId);
        _declarations[datasetId] = Declaration({declared: true, licenseClass: licenseClass});
        emit LicenseDeclared(datasetId, licenseClass.use, licenseClass.attribution, licenseClass.shareAlike);
    }

    function _checkTerms(TierTerms calldata terms) private view {
        if (terms.price == 0) revert DataLicensingZeroPrice();
        if (!_currencyAllowed[terms.currency]) revert DataLicensingCurrencyNotAllowed(terms.currency);
        if (terms.duration == 0 || terms.duration > MAX_DURATION) revert DataLicensingInvalidDuration(terms.duration);
        if (terms.purpose == Purpose.CommercialTraining && terms.licenseClass.use != Use.All) {
            revert DataLicensingPurposeNeedsCommercialUse();
        }
    }

    function _checkParents(uint256 datasetId, LicenseClass memory licenseClass) private view {
        uint256[] memory parents = registry.parentsOf(datasetId);
        for (uint256 i = 0; i < parents.length; ++i) {
            LicenseClass memory allowed = allowedClassOf(parents[i]);
            if (!_within(licenseClass, allowed)) revert DataLicensingIncompatibleWithParent(parents[i], allowed);
        }
    }

    /// @dev Whether `licenseClass` is at most as permissive as `allowed`: its use no wider,
    ///      attribution kept when required, share-alike kept when required.
    function _within(LicenseClass memory licenseClass, LicenseClass memory allowed) private pure returns (bool) {
        if (uint8(licenseClass.use) < uint8(allowed.use)) return false;
        if (allowed.attribution && !licenseClass.attribution) return false;
        if (allowed.shareAlike && !licenseClass.shareAlike) return false;
        return true;
    }

    // ------------------------------------------------------------------- buying

    /// @notice Buy tier `tierIndex` of `datasetId` for `holder` (yourself or, e.g., a compute
    ///         provider working for you). Mints the holder's pass for the tier's purpose, or
    ///         extends it from max(now, its expiry). Pay the exact price: in ETH with the call,
    ///         or in the tier's ERC20 (approve this contract first).
    /// @param datasetId The dataset (licensable: not delisted, not paused).
    /// @param tierIndex The tier (active).
    /// @param holder Who gets the pass.
    /// @return tokenId The pass.
    function buy(uint256 datasetId, uint256 tierIndex, address holder)
        external
        payable
        nonReentrant
        returns (uint256 tokenId)
    {
        return _buy(datasetId, tierIndex, holder);
    }

    /// @notice Renew pass `tokenId` with its tier at the tier's current terms (extends from
    ///         max(now, expiry)). Anyone may pay for anyone's renewal. Refused for a revoked
    ///         pass, an inactive tier or a dataset that is not licensable.
    /// @param tokenId The pass.
    /// @return The pass (`tokenId`).
    function renew(uint256 tokenId) external payable nonReentrant returns (uint256) {
        Pass storage pass = _existingPass(tokenId);
        return _buy((tokenId >> 8) & type(uint64).max, pass.tierIndex, pass.holder);
    }

    /// @notice `buy` paid in the tier's ERC20 with an EIP-2612 permit instead of a prior
    ///         approval: one transaction. The permit is tried first; when it fails (e.g. a
    ///         front-runner already submitted it, which consumes its nonce) the purchase
    ///         still goes through if the allowance covers the price (OZ's "trustless
    ///         permit" pattern), so a copied signature can never block it.
    /// @param datasetId The dataset (licensable: not delisted, not paused).
    /// @param tierIndex The tier (active, priced in an ERC20 with permit).
    /// @param holder Who gets the pass.
    /// @param permit The buyer's permit for this contract (value >= price to succeed).
    /// @return tokenId The pass.
    function buyWithPermit(uint256 datasetId, uint256 tierIndex, address holder, PermitSignature calldata permit)
        external
        nonReentrant
        returns (uint256 tokenId)
    {
        _permit(datasetId, tierIndex, permit);
        return _buy(datasetId, tierIndex, holder);
    }

    /// @notice `renew` paid in the tier's ERC20 with an EIP-2612 permit (see `buyWithPermit`).
    /// @param tokenId The pass.
    /// @param permit The buyer's permit for this contract (value >= price to succeed).
    /// @return The pass (`tokenId`).
    function renewWithPermit(uint256 tokenId, PermitSignature calldata permit)
        external
        nonReentrant
        returns (uint256)
    {
        Pass storage pass = _existingPass(tokenId);
        uint256 datasetId = (tokenId >> 8) & type(uint64).max;
        uint256 tierIndex = pass.tierIndex;
        _permit(datasetId, tierIndex, permit);
        return _buy(datasetId, tierIndex, pass.holder);
    }

    /// @dev Try the caller's permit for the tier's token; if the token refuses it, go on only
    ///      when the allowance already covers the price (a front-run permit set it).
    function _permit(uint256 datasetId, uint256 tierIndex, PermitSignature calldata permit) private {
        Tier storage tier = _tier(datasetId, tierIndex);
        address currency = tier.currency;
        if (currency == ETH) revert DataLicensingPermitForEth(datasetId, tierIndex);
        try IERC20Permit(currency).permit(
            msg.sender, address(this), permit.value, permit.deadline, permit.v, permit.r, permit.s
        ) {
            return;
        } catch {
            uint256 allowance = IERC20(currency).allowance(msg.sender, address(this));
            if (allowance < tier.price) revert DataLicensingPermitFailed(currency, allowance, tier.price);
        }
    }

    function _buy(uint256 datasetId, uint256 tierIndex, address holder) private returns (uint256 tokenId) {
        if (holder == address(0)) revert DataLicensingZeroAddress();
        if (!registry.isLicensable(datasetId)) revert DataLicensingNotLicensable(datasetId);
        Tier storage tier = _tier(datasetId, tierIndex);
        if (!tier.active) revert DataLicensingTierInactive(datasetId, tierIndex);
        address currency = tier.currency;
        if (!_currencyAllowed[currency]) revert DataLicensingCurrencyNotAllowed(currency);
        uint256 price = tier.price;
        Purpose purpose = tier.purpose;
        tokenId = passId(holder, datasetId, purpose);
        uint40 expiresAt = _issue(tokenId, holder, tierIndex, tier.duration);
        _collect(currency, price);
        emit LicensePurchased(tokenId, datasetId, holder, msg.sender, tierIndex, purpose, currency, price, expiresAt);
        _split(datasetId, currency, price);
    }

    /// @dev Mint or extend the pass; returns its new expiry.
    function _issue(
        uint256 tokenId,
        address holder,
        uint256 tierIndex,
        uint40 duration
    ) private returns (uint40 expiresAt) {
        Pass storage pass = _passes[tokenId];
        uint40 previous = pass.expiresAt;
        if (previous == 0) {
            expiresAt = uint40(block.timestamp) + duration;
            _passes[tokenId] =
                Pass({holder: holder, expiresAt: expiresAt, tierIndex: uint32(tierIndex), revoked: false});
            unchecked {
                _balances[holder] += 1; // at most one pass per token id: cannot overflow
            }
            emit Transfer(address(0), holder, tokenId);
            emit Locked(tokenId);
        } else {
            if (pass.revoked) revert DataLicensingPassRevoked(tokenId);
            uint40 from = previous > block.timestamp ? previous : uint40(block.timestamp);
            expiresAt = from + duration;
            pass.expiresAt = expiresAt;
            pass.tierIndex = uint32(tierIndex);
            emit PassRenewed(tokenId, previous, expiresAt);
        }
    }

    /// @dev Take the price: exact ETH, or an ERC20 transfer whose arrival is measured.
    function _collect(address currency, uint256 price) private {
        if (currency == ETH) {
            if (msg.value != price) revert DataLicensingWrongPayment(msg.value, price);
            return;
        }
        if (msg.value != 0) revert DataLicensingWrongPayment(msg.value, 0);
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), price);
        uint256 received = token.balanceOf(address(this)) - before;
        // Crediting more than arrived would break "balance = credits"; refuse short payments.
        if (received != price) revert DataLicensingShortPayment(received, price);
    }

    /// @dev Credit every share of `price`; the contributor gets the rest (so shares sum to it).
    function _split(uint256 datasetId, address currency, uint256 price) private {
        uint256 distributed = 0;
        uint256 fee = (price * treasuryFeeBps) / BPS;
        if (fee != 0) {
            _credit(treasury, currency, fee, datasetId, datasetId, Source.TreasuryFee);
            distributed = fee;
        }
        uint256 curatorPool = (price * curatorBps) / BPS;
        if (curatorPool != 0) {
            address[] memory curators = registry.attestorsOf(datasetId);
            if (curators.length != 0) {
                uint256 each = curatorPool / curators.length;
                if (each != 0) {
                    for (uint256 i = 0; i < curators.length; ++i) {
                        _credit(curators[i], currency, each, datasetId, datasetId, Source.Curation);
                    }
                    distributed += each * curators.length;
                }
            }
        }
        uint256 royalty = (price * royaltyBps) / BPS;
        if (royalty != 0) {
            Walk memory walk = Walk({saleId: datasetId, currency: currency, distributed: distributed, credits: 0});
            _payUpstream(walk, datasetId, royalty, 1);
            distributed = walk.distributed;
        }
        _credit(registry.contributorOf(datasetId), currency, price - distributed, datasetId, datasetId, Source.Sale);
    }

    /// @dev The running state of one sale's upstream walk (a struct keeps the stack small).
    struct Walk {
        uint256 saleId;
        address currency;
        uint256 distributed;
        uint256 credits;
    }

    /// @dev Split `amount` equally among the parents of `childId` (generation `depth`);
    ///      each parent passes royaltyBps of its share on to its own parents while depth
    ///      and the credit budget (MAX_UPSTREAM_CREDITS) allow, and keeps the rest. What is
    ///      not passed on (division remainders, depth or budget reached) stays with the one
    ///      passing it: the ancestor, or the sold dataset's contributor at the first generation.
    function _payUpstream(Walk memory walk, uint256 childId, uint256 amount, uint256 depth) private {
        uint256[] memory parents = registry.parentsOf(childId);
        uint256 count = parents.length;
        if (count == 0) return;
        uint256 share = amount / count;
        if (share == 0) return;
        for (uint256 i = 0; i < count && walk.credits < MAX_UPSTREAM_CREDITS; ++i) {
            uint256 parent = parents[i];
            uint256 kept = share;
            walk.credits += 1;
            if (depth < MAX_ROYALTY_DEPTH) {
                uint256 passed = (share * royaltyBps) / BPS;
                if (passed != 0) {
                    uint256 before = walk.distributed;
                    _payUpstream(walk, parent, passed, depth + 1);
                    kept = share - (walk.distributed - before);
                }
            }
            _credit(registry.contributorOf(parent), walk.currency, kept, walk.saleId, parent, Source.UpstreamRoyalty);
            walk.distributed += kept;
        }
    }

    function _credit(
        address account,
        address currency,
        uint256 amount,
        uint256 saleId,
        uint256 earningId,
        Source source
    ) private {
        if (amount == 0) return;
        _credits[account][currency] += amount;
        emit RevenueCredited(saleId, account, currency, earningId, source, amount);
    }

    // -------------------------------------------------------------- withdrawals

    /// @notice Withdraw everything credited to the caller in `currency` (ETH: address(0)).
    /// @param currency The currency.
    function withdraw(address currency) external nonReentrant {
        uint256 amount = _credits[msg.sender][currency];
        if (amount == 0) revert DataLicensingNothingToWithdraw(msg.sender, currency);
        _credits[msg.sender][currency] = 0;
        emit Withdrawn(msg.sender, currency, amount);
        // Pull payment to the caller alone: a receiver that reverts only fails its own call.
        if (currency == ETH) {
            Address.sendValue(payable(msg.sender), amount);
        } else {
            IERC20(currency).safeTransfer(msg.sender, amount);
        }
    }

    // --------------------------------------------------------------- governance

    /// @notice Revoke pass `tokenId` (misuse) for the reason at `reasonCid`. Only governance.
    ///         The pass stays with its holder, marked revoked: no access, no renewal.
    /// @param tokenId The pass.
    /// @param reasonCid CID of the document giving the reason.
    function revokePass(uint256 tokenId, string calldata reasonCid) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Pass storage pass = _existingPass(tokenId);
        uint256 length = bytes(reasonCid).length;
        if (length == 0 || length > MAX_CID_LENGTH) revert DataLicensingInvalidReason();
        if (pass.revoked) revert DataLicensingPassRevoked(tokenId);
        pass.revoked = true;
        emit PassRevoked(tokenId, pass.holder, reasonCid);
    }

    /// @notice Set the shares of future sales (bps): treasury fee, curators, upstream royalty.
    ///         Each at most MAX_SHARE_BPS, together at most BPS. Only governance.
    /// @param newTreasuryFeeBps Treasury fee.
    /// @param newCuratorBps Curator share.
    /// @param newRoyaltyBps Upstream royalty.
    function setShares(uint16 newTreasuryFeeBps, uint16 newCuratorBps, uint16 newRoyaltyBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setShares(newTreasuryFeeBps, newCuratorBps, newRoyaltyBps);
    }

    /// @notice Allow or disallow an ERC20 for new tiers and sales (credits stay withdrawable).
    ///         ETH cannot be disallowed. Only governance.
    /// @param currency The token.
    /// @param allowed Whether it is allowed.
    function setCurrencyAllowed(address currency, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (currency == ETH) revert DataLicensingZeroAddress();
        if (_currencyAllowed[currency] == allowed) revert DataLicensingCurrencyUnchanged(currency, allowed);
        _setCurrencyAllowed(currency, allowed);
    }

    function _setShares(uint16 newTreasuryFeeBps, uint16 newCuratorBps, uint16 newRoyaltyBps) private {
        if (
            newTreasuryFeeBps > MAX_SHARE_BPS || newCuratorBps > MAX_SHARE_BPS || newRoyaltyBps > MAX_SHARE_BPS
                || uint256(newTreasuryFeeBps) + newCuratorBps + newRoyaltyBps > BPS
        ) revert DataLicensingInvalidShares(newTreasuryFeeBps, newCuratorBps, newRoyaltyBps);
        emit SharesSet(treasuryFeeBps, curatorBps, royaltyBps, newTreasuryFeeBps, newCuratorBps, newRoyaltyBps);
        treasuryFeeBps = newTreasuryFeeBps;
        curatorBps = newCuratorBps;
        royaltyBps = newRoyaltyBps;
    }

    function _setCurrencyAllowed(address currency, bool allowed) private {
        emit CurrencyAllowedSet(currency, _currencyAllowed[currency], allowed);
        _currencyAllowed[currency] = allowed;
    }

    // -------------------------------------------------------------------- views

    /// @notice The pass id of (`holder`, `datasetId`, `purpose`): holder << 96 | datasetId << 8 | purpose.
    /// @param holder The holder.
    /// @param datasetId The dataset.
    /// @param purpose The purpose.
    function passId(address holder, uint256 datasetId, Purpose purpose) public pure returns (uint256) {
        if (datasetId >= 1 << 64) revert DataLicensingUnknownDataset(datasetId);
        return (uint256(uint160(holder)) << 96) | (datasetId << 8) | uint256(uint8(purpose));
    }

    /// @notice Whether `account` holds a valid pass to `datasetId` for `purpose` now
    ///         (minted, not revoked, not expired).
    /// @param account The account.
    /// @param datasetId The dataset.
    /// @param purpose The purpose.
    function hasAccess(address account, uint256 datasetId, Purpose purpose) external view returns (bool) {
        if (datasetId >= 1 << 64) return false;
        Pass storage pass = _passes[passId(account, datasetId, purpose)];
        return !pass.revoked && pass.expiresAt > block.timestamp;
    }

    /// @notice Pass `tokenId`'s stored facts.
    /// @param tokenId The pass.
    function passOf(uint256 tokenId) external view returns (Pass memory) {
        return _existingPass(tokenId);
    }

    /// @notice ERC-5192: every pass is soulbound.
    /// @param tokenId The pass.
    function locked(uint256 tokenId) external view returns (bool) {
        ownerOf(tokenId);
        return true;
    }

    // ------------------------------------------------------ ERC-721 (soulbound)

    /// @inheritdoc IERC721Metadata
    function name() external pure returns (string memory) {
        return "Coop Data Access Pass";
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external pure returns (string memory) {
        return "CPASS";
    }

    /// @notice No metadata URI: the pass's facts are on chain (`passOf`) and in events.
    /// @param tokenId The pass.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return "";
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _balances[owner];
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) public view returns (address holder) {
        holder = _passes[tokenId].holder;
        if (holder == address(0)) revert ERC721NonexistentToken(tokenId);
    }

    /// @notice Passes are soulbound: nobody is ever approved.
    /// @param tokenId The pass.
    function getApproved(uint256 tokenId) external view returns (address) {
        ownerOf(tokenId);
        return address(0);
    }

    /// @notice Passes are soulbound: nobody is ever approved.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @notice Passes are soulbound: transfers are refused.
    function transferFrom(address, address, uint256 tokenId) external pure {
        revert DataLicensingSoulbound(tokenId);
    }

    /// @notice Passes are soulbound: transfers are refused.
    function safeTransferFrom(address, address, uint256 tokenId) external pure {
        revert DataLicensingSoulbound(tokenId);
    }

    /// @notice Passes are soulbound: transfers are refused.
    function safeTransferFrom(address, address, uint256 tokenId, bytes calldata) external pure {
        revert DataLicensingSoulbound(tokenId);
    }

    /// @notice Passes are soulbound: approvals are refused.
    function approve(address, uint256 tokenId) external pure {
        revert DataLicensingSoulbound(tokenId);
    }

    /// @notice Passes are soulbound: approvals are refused.
    function setApprovalForAll(address, bool) external pure {
        revert DataLicensingSoulbound(0);
    }

    /// @notice Tier `tierIndex` of `datasetId`.
    /// @param datasetId The dataset.
    /// @param tierIndex The tier.
    function tierOf(uint256 datasetId, uint256 tierIndex) external view returns (Tier memory) {
        return _tier(datasetId, tierIndex);
    }

    /// @notice How many tiers `datasetId` has (active or not).
    /// @param datasetId The dataset.
    function tierCount(uint256 datasetId) external view returns (uint256) {
        return _tiers[datasetId].length;
    }

    /// @notice The most permissive class datasets derived from `datasetId` may offer: the
    ///         class its contributor declared; else the most permissive combination of its
    ///         active tiers (widest use; attribution or share-alike only if every active tier
    ///         requires it); else, with nothing known, the most restrictive class
    ///         (academic, attribution, share-alike).
    /// @param datasetId The dataset.
    function allowedClassOf(uint256 datasetId) public view returns (LicenseClass memory allowed) {
        Declaration storage declaration = _declarations[datasetId];
        if (declaration.declared) return declaration.licenseClass;
        allowed = LicenseClass(Use.Academic, true, true);
        Tier[] storage tiers = _tiers[datasetId];
        for (uint256 i = 0; i < tiers.length; ++i) {
            Tier storage tier = tiers[i];
            if (!tier.active) continue;
            if (uint8(tier.use) < uint8(allowed.use)) allowed.use = tier.use;
            if (!tier.attribution) allowed.attribution = false;
            if (!tier.shareAlike) allowed.shareAlike = false;
        }
    }

    /// @notice Whether `currency` is allowed for new tiers and sales.
    /// @param currency The currency (ETH: address(0)).
    function isCurrencyAllowed(address currency) external view returns (bool) {
        return _currencyAllowed[currency];
    }

    /// @notice What `account` can withdraw in `currency`.
    /// @param account The account.
    /// @param currency The currency.
    function creditOf(address account, address currency) external view returns (uint256) {
        return _credits[account][currency];
    }

    /// @notice ERC-165: ERC-721, its metadata extension, ERC-5192 and AccessControl.
    /// @param interfaceId The interface.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----------------------------------------------------------------- internal

    function _requireContributor(uint256 datasetId) private view {
        if (datasetId == 0 || datasetId > registry.datasetCount()) revert DataLicensingUnknownDataset(datasetId);
        if (registry.contributorOf(datasetId) != msg.sender) {
            revert DataLicensingNotContributor(datasetId, msg.sender);
        }
    }

    function _tier(uint256 datasetId, uint256 tierIndex) private view returns (Tier storage) {
        Tier[] storage tiers = _tiers[datasetId];
        if (tierIndex >= tiers.length) revert DataLicensingUnknownTier(datasetId, tierIndex);
        return tiers[tierIndex];
    }

    function _existingPass(uint256 tokenId) private view returns (Pass storage pass) {
        pass = _passes[tokenId];
        if (pass.expiresAt == 0) revert DataLicensingUnknownPass(tokenId);
    }
}
