// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/// @title CoopToken
/// @notice The cooperative's governance token: ERC20 with EIP-2612 permits and
///         ERC20Votes checkpoints on a timestamp clock (ERC-6372 `mode=timestamp`).
/// @dev The owner is the timelock: only governance can mint new tokens (e.g. to
///      reward contributors). The initial supply is minted once, at deployment.
///      Like ENS and UNI, new issuance is bounded: at most one mint per
///      `MINT_INTERVAL`, of at most `MINT_CAP_PERCENT` % of the supply at that
///      time, so a captured vote cannot dilute members without limit. Ownership
///      moves in two steps (the new owner accepts) and cannot be renounced: a
///      proposal must never be able to end minting for good by mistake.
contract CoopToken is ERC20, ERC20Permit, ERC20Votes, Ownable2Step {
    /// @notice Shortest time between two mints.
    uint256 public constant MINT_INTERVAL = 365 days;
    /// @notice Largest mint, in percent of the total supply at the time of minting.
    uint256 public constant MINT_CAP_PERCENT = 2;

    /// @notice Earliest timestamp of the next mint (0: none yet).
    uint256 public nextMintAt;

    /// @notice Minting to the zero address was requested.
    error CoopTokenZeroRecipient();
    /// @notice `amount` is above the cap for one mint (`cap`, 2% of the supply).
    error CoopTokenMintAboveCap(uint256 amount, uint256 cap);
    /// @notice A mint already happened in this period; the next is allowed at `nextMintAt`.
    error CoopTokenMintTooSoon(uint256 nextMintAt);
    /// @notice Renouncing ownership would end minting forever; it is disabled.
    error CoopTokenRenounceDisabled();

    /// @notice Governance minted `amount` new tokens to `to`.
    event TokensMinted(address indexed to, uint256 amount);

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param initialHolder Receives `initialSupply` (the deployer distributes it).
    /// @param initialSupply Amount minted at deployment, in wei units (18 decimals).
    /// @param governance The timelock, owner of `mint` from the start (nothing to accept).
    constructor(
        string memory name_,
        string memory symbol_,
        address initialHolder,
        uint256 initialSupply,
        address governance
    ) ERC20(name_, symbol_) ERC20Permit(name_) Ownable(governance) {
        _mint(initialHolder, initialSupply);
    }

    /// @notice Mint `amount` new tokens to `to`. Only governance (the timelock), at
    ///         most once per `MINT_INTERVAL` and at most `MINT_CAP_PERCENT` % of the supply.
    /// @param to Recipient of the new tokens.
    /// @param amount Amount in wei units.
    function mint(address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert CoopTokenZeroRecipient();
        if (block.timestamp < nextMintAt) revert CoopTokenMintTooSoon(nextMintAt);
        uint256 cap = (totalSupply() * MINT_CAP_PERCENT) / 100;
        if (amount > cap) revert CoopTokenMintAboveCap(amount, cap);
        nextMintAt = block.timestamp + MINT_INTERVAL;
        _mint(to, amount);
        emit TokensMinted(to, amount);
    }

    /// @notice Disabled: the token always has an owner (governance), so minting stays possible.
    function renounceOwnership() public view override onlyOwner {
        revert CoopTokenRenounceDisabled();
    }

    /// @notice The clock is the block timestamp (ERC-6372).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
