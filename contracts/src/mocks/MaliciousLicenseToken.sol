// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {DataLicensing} from "../DataLicensing.sol";

/// @title MaliciousLicenseToken
/// @notice An ERC20 for tests of DataLicensing: on each transfer it can re-enter the
///         licensing contract (buy or withdraw) or skim a fee (fee-on-transfer).
/// @dev For local tests only: anyone can mint and change its mode.
contract MaliciousLicenseToken is ERC20 {
    /// @notice What a transfer does besides moving tokens.
    enum Mode {
        Honest,
        FeeOnTransfer,
        ReenterBuy,
        ReenterWithdraw
    }

    DataLicensing public licensing;
    Mode public mode;
    uint256 public targetDataset;
    uint256 public targetTier;
    /// @notice Re-entry attempts made from a transfer, and how many the contract allowed.
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;
    bool private _inside;

    /// @notice The token's behaviour changed.
    event ModeSet(Mode mode, address licensing, uint256 targetDataset, uint256 targetTier);

    constructor() ERC20("Malicious", "EVIL") {}

    /// @notice Mint `amount` to `to` (anyone).
    /// @param to Recipient.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Choose what transfers do.
    /// @param newMode The mode.
    /// @param licensing_ The DataLicensing to re-enter.
    /// @param dataset Dataset a re-entering buy targets.
    /// @param tier Tier a re-entering buy targets.
    function setMode(Mode newMode, DataLicensing licensing_, uint256 dataset, uint256 tier) external {
        mode = newMode;
        licensing = licensing_;
        targetDataset = dataset;
        targetTier = tier;
        emit ModeSet(newMode, address(licensing_), dataset, tier);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (mode == Mode.FeeOnTransfer && from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
        if (_inside || from == address(0)) return;
        if (mode == Mode.ReenterBuy || mode == Mode.ReenterWithdraw) {
            _inside = true;
            reentryAttempts += 1;
            bytes memory call = mode == Mode.ReenterBuy
                ? abi.encodeCall(DataLicensing.buy, (targetDataset, targetTier, address(this)))
                : abi.encodeCall(DataLicensing.withdraw, (address(this)));
            (bool ok,) = address(licensing).call(call);
            if (ok) reentrySuccesses += 1;
            _inside = false;
        }
    }
}
